#!/bin/sh
# The files of src/ call each other without a circle (src/internal.h has
# the layers): reads which object defines and which uses each symbol, and
# looks for a cycle in the graph of "file calls into file".
set -u
objdir=${top_builddir:-.}/src
NM=${NM:-nm}
command -v python3 >/dev/null 2>&1 || { echo "no python3: skipped"; exit 77; }
ls "$objdir"/*.o >/dev/null 2>&1 || { echo "no objects in $objdir"; exit 99; }
for o in "$objdir"/*.o "$objdir"/port/*.o "$objdir"/ops/*.o; do
  [ -f "$o" ] || continue
  f=$(basename "$o" .o)
  $NM "$o" | awk -v f="$f" '$2 ~ /^[TDBR]$/ { print "def", f, $3 } $1 == "U" { print "use", f, $2 }'
done | python3 -c '
import sys, collections
defs, uses = {}, collections.defaultdict(set)
for line in sys.stdin:
    kind, f, sym = line.split()
    if kind == "def": defs[sym] = f
    else: uses[f].add(sym)
calls = collections.defaultdict(set)
for f, syms in uses.items():
    for s in syms:
        if s in defs and defs[s] != f:
            calls[f].add(defs[s])
for f in sorted(calls): print("%-9s -> %s" % (f, " ".join(sorted(calls[f]))))
state, bad = {}, []
def visit(f, path):
    state[f] = 1
    for g in sorted(calls[f]):
        if state.get(g) == 1: bad.append(path + [f, g])
        elif g not in state: visit(g, path + [f])
    state[f] = 2
for f in sorted(list(calls)):
    if f not in state: visit(f, [])
for c in bad: print("circle: " + " -> ".join(c[c.index(c[-1]):]))
sys.exit(1 if bad else 0)
'
