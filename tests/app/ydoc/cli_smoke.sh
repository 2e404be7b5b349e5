#!/usr/bin/env bash
# End-to-end smoke test of the real zeal-ydoc binary: exit codes, stderr, stdin and a byte-exact round trip.
# usage: cli_smoke.sh /path/to/zeal-ydoc
set -u

bin=${1:?usage: cli_smoke.sh /path/to/zeal-ydoc}
tmp=$(mktemp -d /tmp/zeal-ydoc-smoke-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# yjs-format.md §2 worked example (client 1 types "abc", inserts X at 1, deletes "b", after GC).
printf '\x01\x04\x01\x00\x04\x01\x01\x74\x01\x61\x81\x01\x00\x01\x84\x01\x01\x01\x63\xc4\x01\x00\x01\x01\x01\x58\x01\x01\x01\x01\x01' \
  >"$tmp/worked.bin"
[ "$(wc -c <"$tmp/worked.bin")" -eq 31 ] || fail "worked example is not 31 bytes"

# --help: exit 0, usage on stdout.
"$bin" --help >"$tmp/help.out" 2>"$tmp/help.err"
rc=$?
[ "$rc" -eq 0 ] || fail "--help exited $rc"
grep -q 'usage: zeal-ydoc' "$tmp/help.out" || fail "--help printed no usage"

# Unknown command: exit 1, message on stderr, nothing on stdout.
"$bin" frobnicate "$tmp/worked.bin" >"$tmp/unknown.out" 2>"$tmp/unknown.err"
rc=$?
[ "$rc" -eq 1 ] || fail "unknown command exited $rc"
grep -q 'unknown command' "$tmp/unknown.err" || fail "unknown command: no message on stderr"
[ ! -s "$tmp/unknown.out" ] || fail "unknown command wrote to stdout"

# A truncated update on stdin: exit 2, the reason and the byte offset on stderr.
head -c 12 "$tmp/worked.bin" | "$bin" apply - >"$tmp/trunc.out" 2>"$tmp/trunc.err"
rc=$?
[ "$rc" -eq 2 ] || fail "truncated update exited $rc"
grep -q 'byte' "$tmp/trunc.err" || fail "truncated update: no byte offset on stderr: $(cat "$tmp/trunc.err")"
grep -q '<stdin>' "$tmp/trunc.err" || fail "truncated update: stderr does not name <stdin>"
[ ! -s "$tmp/trunc.out" ] || fail "truncated update wrote to stdout"

# apply of the worked example through stdout is byte-identical, from a file and from stdin.
"$bin" apply "$tmp/worked.bin" >"$tmp/apply.out" 2>"$tmp/apply.err"
rc=$?
[ "$rc" -eq 0 ] || fail "apply exited $rc: $(cat "$tmp/apply.err")"
cmp -s "$tmp/worked.bin" "$tmp/apply.out" || fail "apply did not round-trip the worked example"
"$bin" apply - <"$tmp/worked.bin" >"$tmp/apply-stdin.out" 2>"$tmp/apply-stdin.err"
rc=$?
[ "$rc" -eq 0 ] || fail "apply - exited $rc: $(cat "$tmp/apply-stdin.err")"
cmp -s "$tmp/worked.bin" "$tmp/apply-stdin.out" || fail "apply - did not round-trip the worked example"

# json of the worked example.
[ "$("$bin" json "$tmp/worked.bin")" = '{"t":"aXc"}' ] || fail "json of the worked example"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "zeal-ydoc smoke test passed"
