#!/usr/bin/env bash
# Secret-scanner benchmark (loopback only, bounded): generates a >= 200 MB text corpus and a git
# repository of >= 5,000 commits (git fast-import) in a temp dir, then measures
#   - tree scan throughput (MB/s) and peak RSS of `launchready secrets --no-history`
#   - history scan rate (commits/s) of `launchready secrets` on the repository
#   - the same corpus with ripsecrets, when installed (`cargo install ripsecrets`), and the ratio.
# Usage: bench/secrets.sh [MB] [COMMITS]   (needs a release build: cargo build --release)
set -euo pipefail
MB=${1:-200}
COMMITS=${2:-5000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/target/release/launchready"
# BENCH_DIR keeps the generated corpus and repository for reruns (generated once when missing).
if [ -n "${BENCH_DIR:-}" ]; then
  WORK=$BENCH_DIR
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d /tmp/launchready-bench.XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
fi

if [ ! -d "$WORK/corpus" ]; then
python3 - "$WORK/corpus" "$MB" <<'PY'
import os, random, sys, string
out, mb = sys.argv[1], int(sys.argv[2])
random.seed(7)
os.makedirs(out, exist_ok=True)
alnum = string.ascii_letters + string.digits
def rnd(n): return "".join(random.choice(alnum) for _ in range(n))
# A pool of code-like lines (identifiers, strings, hashes, URLs, UUIDs: the usual traps).
lines = []
for i in range(4000):
    kind = i % 8
    if kind == 0: lines.append(f"function handler{i}(req, res) {{ return res.json({{ id: req.params.id, token: req.headers.authorization }}); }}")
    elif kind == 1: lines.append(f"const url = 'https://api.example.test/v1/items/{i}?page=2&sort=desc';")
    elif kind == 2: lines.append(f"    \"integrity\": \"sha512-{rnd(86)}==\",")
    elif kind == 3: lines.append(f"commit {''.join(random.choice('0123456789abcdef') for _ in range(40))} Merge branch 'feature/{i}'")
    elif kind == 4: lines.append(f"user_id = '{rnd(8)}-{rnd(4)}-{rnd(4)}-{rnd(4)}-{rnd(12)}'  # uuid-ish")
    elif kind == 5: lines.append(f"if (password.length < 12) throw new Error('password too short: ' + name{i});")
    elif kind == 6: lines.append("".join(random.choice(alnum + "  .,;(){}") for _ in range(120)))
    else: lines.append(f"SELECT id, name, created_at FROM accounts WHERE org_id = $1 AND id > {i} ORDER BY id LIMIT 100;")
text_block = "\n".join(lines) + "\n"
per_file = 512 * 1024
files = mb * 1024 * 1024 // per_file
planted = 0
for f in range(files):
    d = os.path.join(out, f"pkg{f % 40:02d}")
    os.makedirs(d, exist_ok=True)
    body = (text_block * (per_file // len(text_block) + 1))[:per_file]
    if f % 10 == 0:
        body += f"\nSTRIPE_KEY = 'sk_live_{rnd(24)}'\n"
        planted += 1
    with open(os.path.join(d, f"file{f:05d}.js"), "w") as fh:
        fh.write(body)
print(f"corpus: {files} files, {files * per_file / 1e6:.0f} MB, {planted} planted keys", file=sys.stderr)
PY
fi

if [ ! -d "$WORK/repo" ]; then
python3 - "$COMMITS" > "$WORK/stream" <<'PY'
import sys, random, string
n = int(sys.argv[1])
random.seed(11)
alnum = string.ascii_letters + string.digits
w = sys.stdout.write
for i in range(1, n + 1):
    content = f"# module {i}\n" + "\n".join(f"def f{i}_{j}(x):\n    return x * {j}  # {''.join(random.choice(alnum) for _ in range(40))}" for j in range(20)) + "\n"
    if i % 500 == 0:
        content += f"AWS_SECRET_ACCESS_KEY = '{''.join(random.choice(alnum) for _ in range(40))}'\n"
    data = content.encode()
    msg = f"commit {i}".encode()
    w(f"commit refs/heads/main\nmark :{i}\ncommitter Bench <bench@acme.test> {1700000000 + i} +0000\ndata {len(msg)}\n")
    sys.stdout.flush(); sys.stdout.buffer.write(msg); w("\n")
    if i > 1: w(f"from :{i - 1}\n")
    w(f"M 100644 inline src/mod{i % 200:03d}.py\ndata {len(data)}\n"); sys.stdout.flush()
    sys.stdout.buffer.write(data); w("\n")
PY
git init -q "$WORK/repo"
git -C "$WORK/repo" fast-import --quiet < "$WORK/stream"
git -C "$WORK/repo" checkout -q main
fi

measure() { # label, command…
  local label=$1; shift
  /usr/bin/time -v "$@" > /dev/null 2> "$WORK/time.txt" || true
  local secs rss
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2,t,":"); s=0; for(i=1;i<=length(t);i++) s=s*60+t[i]; print s}' "$WORK/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
  echo "$label $secs $rss"
}

BYTES=$(du -sb "$WORK/corpus" | cut -f1)
read -r _ TREE_S TREE_RSS < <(measure tree "$BIN" secrets --no-history --fail-on never -q -f json "$WORK/corpus")
FOUND=$("$BIN" secrets --no-history --fail-on never -q -f json "$WORK/corpus" | grep -c '"value": "stripe-secret-key"' || true)
read -r _ HIST_S HIST_RSS < <(measure history "$BIN" secrets --fail-on never -q -f json "$WORK/repo")
HFOUND=$("$BIN" secrets --fail-on never -q -f json "$WORK/repo" | grep -c '"value": "aws-secret-access-key"' || true)
python3 - "$BYTES" "$TREE_S" "$TREE_RSS" "$FOUND" "$COMMITS" "$HIST_S" "$HIST_RSS" "$HFOUND" <<'PY'
import sys
b, ts, tr, found, c, hs, hr, hf = sys.argv[1:]
print(f"tree:    {int(b)/1e6:.0f} MB in {float(ts):.2f} s = {int(b)/1e6/float(ts):.1f} MB/s, peak RSS {int(tr)/1024:.0f} MiB, {found} stripe findings")
print(f"history: {c} commits in {float(hs):.2f} s = {int(c)/float(hs):.0f} commits/s, peak RSS {int(hr)/1024:.0f} MiB, aws findings lines {hf}")
PY
if command -v ripsecrets > /dev/null; then
  read -r _ RIP_S RIP_RSS < <(measure ripsecrets ripsecrets "$WORK/corpus")
  RFOUND=$(ripsecrets "$WORK/corpus" | wc -l || true)
  python3 - "$BYTES" "$RIP_S" "$RIP_RSS" "$TREE_S" "$RFOUND" <<'PY'
import sys
b, rs, rr, ts, rf = sys.argv[1:]
print(f"ripsecrets: {int(b)/1e6/float(rs):.1f} MB/s, peak RSS {int(rr)/1024:.0f} MiB, {rf} lines reported; launchready/ripsecrets time ratio {float(ts)/float(rs):.2f}")
PY
else
  echo "ripsecrets not installed: cargo install ripsecrets"
fi
