#!/bin/bash
# Checks issue 11's public claims against a running demo: BASE=http://127.0.0.1:PORT BIN=… DATA=…
set -u
BASE=${BASE:-http://127.0.0.1:18811}
BIN=${BIN:?}
W=$(mktemp -d)
cd "$W"
echo "== list"; curl -s "$BASE/api/v1/bulletins" | python3 -m json.tool | head -40
N=$(curl -s "$BASE/api/v1/bulletins" | python3 -c 'import json,sys; print(max(b["number"] for b in json.load(sys.stdin)))')
LISTED=$(curl -s "$BASE/api/v1/bulletins" | python3 -c "import json,sys; print([b for b in json.load(sys.stdin) if b['number']==$N][0]['sha256'])")
PREV=$(curl -s "$BASE/api/v1/bulletins" | python3 -c "import json,sys; print([b for b in json.load(sys.stdin) if b['number']==$N-1][0]['sha256'])")
echo "== recipe step 2-3 (bulletin $N)"
curl -s -o bulletin-$N.json "$BASE/api/v1/bulletins/$N"
curl -s -o bulletin-$((N-1)).json "$BASE/api/v1/bulletins/$((N-1))"
sha256sum bulletin-$N.json; echo "listed: $LISTED"
[ "$(sha256sum bulletin-$N.json | cut -d' ' -f1)" = "$LISTED" ] && echo "OK hash = listed" || echo "FAIL hash"
echo "== step 4 chain"
python3 -c 'import json; print(json.load(open("bulletin-'$N'.json"))["prev_sha256"])'
sha256sum bulletin-$((N-1)).json
echo "listed prev: $PREV"
echo "== step 5 canonical (python)"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1],encoding="utf-8")); sys.stdout.buffer.write(json.dumps(d,sort_keys=True,separators=(",",":"),ensure_ascii=False).encode())' bulletin-$N.json | cmp - bulletin-$N.json && echo canonical
echo "== step 6 verify-file"
"$BIN" bulletin verify-file bulletin-$N.json --sha256 "$LISTED"; echo "exit $?"
cp bulletin-$N.json bad.json; python3 - <<'P'
b=bytearray(open("bad.json","rb").read()); i=b.index(b'"expected":')+11; b[i]=ord('8') if b[i]!=ord('8') else ord('7'); open("bad.json","wb").write(b)
P
"$BIN" bulletin verify-file bad.json --sha256 "$LISTED" >/dev/null 2>&1; echo "one byte changed: exit $? (want 2)"
echo "== .json download = canonical bytes"
curl -s -o dl.json "$BASE/api/v1/bulletins/$N.json"; cmp dl.json bulletin-$N.json && echo "same bytes"
echo "== CSV"
curl -s -D h.txt -o s.csv "$BASE/api/v1/bulletins/$N.csv?table=societies"; grep -i "content-type\|disposition" h.txt; head -c 3 s.csv | xxd | head -1
python3 - <<'P'
import csv,io
t=open("s.csv",encoding="utf-8-sig",newline="").read()
rows=list(csv.reader(io.StringIO(t)))
bad=[c for r in rows for c in r if c[:1] in "=+-@"]
print("rows",len(rows),"cells starting with = + - @:",bad[:5])
P
echo "== xlsx"; curl -s -o b.xlsx -w "%{http_code} %{content_type}\n" "$BASE/api/v1/bulletins/$N.xlsx"
echo "== /bulletins recipe"; curl -s "$BASE/bulletins" | grep -A3 'class="recipe"'
echo "== conditional"; E=$(curl -s -D - -o /dev/null "$BASE/monitor" | grep -i '^etag' | cut -d' ' -f2 | tr -d '\r'); echo "etag $E"
curl -s -o /dev/null -w "%{http_code}\n" -H "If-None-Match: $E" "$BASE/monitor"
curl -s -D - -o /dev/null -H "Accept-Encoding: gzip" "$BASE/monitor" | grep -i "content-encoding\|cache-control\|last-modified\|vary"
echo "workdir $W"
