// Idle room unload (label slow: --room-timeout-minutes takes whole minutes, so this waits ~1-2 min):
// a room empty for room-timeout is unloaded (/stats rooms, zeal_rooms_unloaded_total), a room with
// members is not, an unloaded room's content is still served (loaded again from storage), and it can be
// joined again.
//   node server/unload.test.mjs <zeal-crdt-server> [--filter RE] [--verbose]
import { defaults, test, run, check, checkEqual } from '../lib/runner.mjs'
import { providerClient, rawClient, waitConverged } from '../lib/clients.mjs'
import { httpGet, waitFor } from '../lib/server.mjs'

defaults({ zealOnly: true }) // needs /rooms and --room-timeout-minutes

test('a room empty for room-timeout-minutes is unloaded; a room with members stays', async (t) => {
  const server = await t.server({ args: ['--room-timeout-minutes', '1'] })
  const gone = providerClient(server.ws, 'goes-idle', { clientID: 9001 })
  t.defer(() => gone.destroy())
  await gone.waitSynced()
  gone.doc.getText('text').insert(0, 'bye')
  await waitFor(async () => (await httpGet(`${server.http}/rooms/goes-idle`)).text === '{"text":"bye"}', { what: 'content in the room' })
  const stay = await rawClient(`${server.ws}/stays`)
  t.defer(() => stay.terminate())
  await stay.next('sync:step1')
  const left = Date.now()
  gone.provider.disconnect()
  await waitFor(async () => (await httpGet(`${server.http}/stats`)).json().total_clients === 1, { what: 'total_clients 1' })
  // not before the timeout
  await new Promise((resolve) => setTimeout(resolve, 50 * 1000))
  checkEqual((await httpGet(`${server.http}/stats`)).json().rooms, 2, 'room unloaded after 50 s (timeout is 60 s)')
  await waitFor(async () => (await httpGet(`${server.http}/stats`)).json().rooms === 1, {
    timeout: 75 * 1000,
    interval: 500,
    what: 'goes-idle unloaded (/stats rooms 1)'
  })
  t.log(`unloaded after ${((Date.now() - left) / 1000).toFixed(1)} s`)
  const s = (await httpGet(`${server.http}/stats`)).json()
  checkEqual([s.rooms, s.total_clients], [1, 1], 'rooms, total_clients after the unload')
  checkEqual((await httpGet(`${server.http}/rooms/stays`)).status, 200, 'the room with a member')
  const m = (await httpGet(`${server.http}/metrics`)).text
  check(/^zeal_rooms_unloaded_total 1$/m.test(m), `zeal_rooms_unloaded_total: ${m.split('\n').filter((l) => l.includes('unloaded')).join(' | ')}`)
  check(stay.closeInfo === null, 'the member of the other room was closed')
  check(/room=goes-idle snapshot written/.test(server.stderr()), "the room's snapshot in the log")
  // still served: loaded again from storage
  checkEqual((await httpGet(`${server.http}/rooms/goes-idle`)).text, '{"text":"bye"}', 'unloaded room content')
  // the unloaded room can be joined again
  const again = providerClient(server.ws, 'goes-idle', { clientID: 9002 })
  t.defer(() => again.destroy())
  await again.waitSynced()
  again.doc.getMap('map').set('back', true)
  const final = await waitConverged([again])
  await waitFor(async () => (await httpGet(`${server.http}/rooms/goes-idle`)).text === final, { what: 'rejoined room serves content' })
}, { timeout: 160 * 1000 })

await run()
