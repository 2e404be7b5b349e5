#!/usr/bin/env bash
# End-to-end smoke test of the offline room tools of the real zeal-crdt-server binary (contract4.md, "CLI"):
# import / export / rooms against a data directory, compared with zeal-ydoc; a malformed import (exit 2,
# nothing written), a missing room (exit 1), a missing data directory (exit 1, not created), option errors
# (exit 2); and a data directory in use by a running server (exit 1 with the hint), the server serving the
# imported room, and an export after the server stopped holding what was posted to it.
# usage: room_tools_smoke.sh /path/to/zeal-crdt-server /path/to/zeal-ydoc /path/to/tests/fixtures/yjs
set -u

bin=${1:?usage: room_tools_smoke.sh SERVER YDOC FIXTURES}
ydoc=${2:?usage: room_tools_smoke.sh SERVER YDOC FIXTURES}
fixtures=${3:?usage: room_tools_smoke.sh SERVER YDOC FIXTURES}
bin=$(realpath "$bin") && ydoc=$(realpath "$ydoc") && fixtures=$(realpath "$fixtures") || exit 1
# shellcheck source=smoke_lib.sh
. "$(dirname "$0")/smoke_lib.sh" || exit 1
smoke_setup zeal-room-tools-smoke
data="$tmp/data"

# Updates: the yjs-format.md worked example (client 1, {"t":"aXc"}) written with printf, and two Yjs
# fixtures of other clients (3: any_values, 5: deleted_content).
printf '\x01\x04\x01\x00\x04\x01\x01\x74\x01\x61\x81\x01\x00\x01\x84\x01\x01\x01\x63\xc4\x01\x00\x01\x01\x01\x58\x01\x01\x01\x01\x01' \
  >"$tmp/a.bin"
cp "$fixtures/any_values_state.0.v1.bin" "$tmp/b.bin" || fail "fixture any_values_state.0.v1.bin missing"
cp "$fixtures/deleted_content_state.0.v1.bin" "$tmp/c.bin" || fail "fixture deleted_content_state.0.v1.bin missing"
a_size=$(wc -c <"$tmp/a.bin")

# --help of the server mentions the tools; `export --help` prints their usage.
run help --help
expect help 0
grep -q 'zeal-crdt-server export ROOM \[FILE\]' "$tmp/help.out" || fail "--help does not describe the room tools"
run export_help export --help
expect export_help 0
grep -q 'zeal-crdt-server import ROOM FILE' "$tmp/export_help.out" || fail "export --help printed no usage"

# No data directory yet: export and rooms fail (exit 1) and do not create it.
run rooms_missing rooms --data-dir "$data"
expect rooms_missing 1
grep -q "no data directory at $data" "$tmp/rooms_missing.err" || fail "rooms: $(cat "$tmp/rooms_missing.err")"
[ ! -e "$data" ] || fail "rooms created the data directory"

# A malformed file: exit 2, file name and byte offset named, nothing created.
head -c 12 "$tmp/a.bin" >"$tmp/truncated.bin"
run bad_new import doc "$tmp/truncated.bin" --data-dir "$data"
expect bad_new 2
grep -q "$tmp/truncated.bin: malformed update: .* at byte [0-9]" "$tmp/bad_new.err" ||
  fail "malformed import: $(cat "$tmp/bad_new.err")"
[ ! -s "$tmp/bad_new.out" ] || fail "malformed import wrote to stdout"
[ ! -e "$data" ] || fail "a malformed import created the data directory"

# Import two updates into "doc", one into "other room".
run imp_a import doc "$tmp/a.bin" --data-dir "$data"
expect imp_a 0
[ "$(cat "$tmp/imp_a.out")" = "imported $a_size bytes into room \"doc\" (state now $a_size bytes)" ] ||
  fail "import line: $(cat "$tmp/imp_a.out")"
run imp_b import doc "$tmp/b.bin" --data-dir "$data"
expect imp_b 0
grep -q '^imported [0-9]* bytes into room "doc" (state now [0-9]* bytes)$' "$tmp/imp_b.out" ||
  fail "import line: $(cat "$tmp/imp_b.out")"
run imp_other import "other room" - --data-dir="$data" <"$tmp/a.bin"
expect imp_other 0

# Export: to stdout and to a file; the same document zeal-ydoc builds from the inputs, byte for byte.
run exp export doc --data-dir "$data"
expect exp 0
want_json=$("$ydoc" json "$tmp/a.bin" "$tmp/b.bin")
got_json=$("$ydoc" json "$tmp/exp.out")
[ -n "$want_json" ] && [ "$got_json" = "$want_json" ] || fail "export json: got $got_json, want $want_json"
"$ydoc" apply -o "$tmp/want.bin" "$tmp/a.bin" "$tmp/b.bin" || fail "zeal-ydoc apply failed"
cmp -s "$tmp/exp.out" "$tmp/want.bin" || fail "export differs from zeal-ydoc apply of the inputs"
run exp_file export doc "$tmp/doc.bin" --data-dir "$data"
expect exp_file 0
cmp -s "$tmp/doc.bin" "$tmp/exp.out" || fail "export to FILE differs from export to stdout"

# rooms: sorted, one per line.
run rooms rooms --data-dir "$data"
expect rooms 0
[ "$(cat "$tmp/rooms.out")" = "$(printf 'doc\nother room')" ] || fail "rooms listed: $(cat "$tmp/rooms.out")"

# A malformed import into the stored room changes nothing.
run bad_doc import doc "$tmp/truncated.bin" --data-dir "$data"
expect bad_doc 2
run exp_again export doc --data-dir "$data"
expect exp_again 0
cmp -s "$tmp/exp_again.out" "$tmp/exp.out" || fail "a malformed import changed the stored room"

# A room that is not stored: exit 1.
run exp_missing export missing --data-dir "$data"
expect exp_missing 1
grep -q "room \"missing\" is not stored in $data" "$tmp/exp_missing.err" ||
  fail "export missing: $(cat "$tmp/exp_missing.err")"
[ ! -s "$tmp/exp_missing.out" ] || fail "export of a missing room wrote to stdout"

# Usage and option errors: exit 2.
run usage import doc --data-dir "$data"
expect usage 2
grep -q 'usage: zeal-crdt-server import ROOM FILE' "$tmp/usage.err" || fail "usage: $(cat "$tmp/usage.err")"
run badopt export doc --port abc --data-dir "$data"
expect badopt 2
grep -q -- '--port' "$tmp/badopt.err" || fail "bad option not named: $(cat "$tmp/badopt.err")"
printf '[storage]\ndata-dir = "%s"\n' "$data" >"$tmp/zeal.ini"
run via_config rooms --config "$tmp/zeal.ini"
expect via_config 0
[ "$(cat "$tmp/via_config.out")" = "$(cat "$tmp/rooms.out")" ] || fail "rooms via --config: $(cat "$tmp/via_config.out")"

# --- A running server holds the data directory -------------------------------------------------------------

start_server server --port 0 --data-dir "$data"
if ! wait_listening server; then
  fail "server: no 'listening on' line: $(cat "$tmp/server.err")"
else
  grep -q "storage: rocksdb at $data (sync off)" "$tmp/server.err" || fail "server: no storage line"

  run in_use export doc --data-dir "$data"
  expect in_use 1
  grep -q "cannot open $data: .*(is a zeal-crdt-server running on it? use GET/POST /rooms/<room>/update while it runs)" \
    "$tmp/in_use.err" || fail "in use: $(cat "$tmp/in_use.err")"
  [ ! -s "$tmp/in_use.out" ] || fail "export of a directory in use wrote to stdout"
  run in_use_import import doc "$tmp/c.bin" --data-dir "$data"
  expect in_use_import 1

  # The server loads the imported room as its tools stored it, and takes a posted update.
  if command -v curl >/dev/null; then
    code=$(curl -s -o "$tmp/served.bin" -w '%{http_code}' "http://127.0.0.1:$port/rooms/doc/update")
    [ "$code" = 200 ] || fail "GET /rooms/doc/update: HTTP $code"
    [ "$("$ydoc" json "$tmp/served.bin")" = "$want_json" ] || fail "the server's room differs from the import"
    code=$(curl -s -o "$tmp/post.out" -w '%{http_code}' --data-binary "@$tmp/c.bin" \
      -H 'Content-Type: application/octet-stream' "http://127.0.0.1:$port/rooms/doc/update")
    [ "$code" = 200 ] || fail "POST /rooms/doc/update: HTTP $code $(cat "$tmp/post.out")"
  else
    echo "note: curl not found; the HTTP checks are skipped" >&2
  fi

  kill -TERM "$pid"
  wait_exit "$pid" 20
  [ "$rc" -eq 0 ] || fail "server exit status $rc after SIGTERM: $(tail -n 5 "$tmp/server.err")"

  # Stopped: the tools work again and see what the server stored.
  run after export doc --data-dir "$data"
  expect after 0
  if command -v curl >/dev/null; then
    want_after=$("$ydoc" json "$tmp/a.bin" "$tmp/b.bin" "$tmp/c.bin")
    [ "$("$ydoc" json "$tmp/after.out")" = "$want_after" ] || fail "export after the server: $("$ydoc" json "$tmp/after.out")"
  fi
fi

smoke_finish "room tools smoke test passed"
