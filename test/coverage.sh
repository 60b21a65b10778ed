#!/bin/sh
# `make coverage`: line and branch coverage of src/ by `make check`, with
# gcov and gcovr. Builds two configurations of its own under ./coverage/
# (static, -O0 --coverage, atomic counters for the threaded tests, plus
# COVERAGE_FLAGS for configure): with threads, and without (the code a
# firmware build runs: the POSIX port's critical section, the loop that
# drives a scheduler from a blocking call). Runs the suite in each and
# prints the table and totals for the two together, per file;
# coverage/CFG/index.html has the annotated sources. Lines marked GCOVR_EXCL_*
# in src/ are unreachable by construction; each says why. Targets: 95%
# lines, 90% branches.
set -eu
: "${top_srcdir:?}" "${COVERAGE_FLAGS:=}"
command -v gcovr >/dev/null ||
  { echo "coverage: needs gcovr (apt-get install gcovr)" >&2; exit 1; }
src=$(cd "$top_srcdir" && pwd)
rm -rf coverage
mkdir coverage
cd coverage
status=0
for cfg in threads no-threads; do
  mkdir "$cfg"
  flags=
  [ "$cfg" = threads ] || flags=--disable-threads
  # shellcheck disable=SC2086 # lists of words
  (cd "$cfg" &&
    "$src/configure" --disable-shared $flags $COVERAGE_FLAGS \
      CFLAGS='-O0 -g --coverage -fprofile-update=atomic' \
      LDFLAGS=--coverage >/dev/null &&
    make -j2 >/dev/null &&
    { make -j2 check >/dev/null 2>&1 ||
      { echo "coverage: make check failed ($cfg); numbers are partial" >&2
        exit 2; }; }) || status=$?
  (cd "$cfg" &&
    gcovr -r "$src" --object-directory . --filter "$src/src/" \
      --exclude-unreachable-branches --exclude-throw-branches \
      --json "../$cfg.json" 2>/dev/null)
done
# gcovr cannot merge the two when a function sits on other lines in each
# (#if): the union is summed here, line by line; each configuration has
# its annotated sources in coverage/CFG/index.html.
for cfg in threads no-threads; do
  (cd "$cfg" && gcovr -r "$src" --add-tracefile "../$cfg.json" \
    --html-details index.html >/dev/null 2>&1) || :
done
python3 - threads.json no-threads.json <<'EOF'
import json, sys
files = {}
for path in sys.argv[1:]:
    for f in json.load(open(path))["files"]:
        lines = files.setdefault(f["file"], {})
        for l in f["lines"]:
            if l["gcovr/noncode"] or l["gcovr/excluded"]:
                continue
            count, br = l["count"], [b["count"] for b in l["branches"]]
            if l["line_number"] in lines:
                c0, b0 = lines[l["line_number"]]
                count += c0
                if len(b0) == len(br):
                    br = [x + y for x, y in zip(b0, br)]
                elif len(b0) > len(br):
                    br = b0
            lines[l["line_number"]] = (count, br)
tl = tlc = tb = tbc = 0
print("%-28s %6s %6s %6s %6s %6s %6s" %
      ("File", "Lines", "Exec", "Cover", "Branch", "Taken", "Cover"))
for name in sorted(files):
    ls = files[name].values()
    nl, nlc = len(ls), sum(1 for c, _ in ls if c)
    nb = sum(len(b) for _, b in ls)
    nbc = sum(1 for _, b in ls for x in b if x)
    tl, tlc, tb, tbc = tl + nl, tlc + nlc, tb + nb, tbc + nbc
    print("%-28s %6d %6d %5.1f%% %6d %6d %5.1f%%" % (name, nl, nlc,
          100.0 * nlc / max(nl, 1), nb, nbc, 100.0 * nbc / max(nb, 1)))
print("lines: %.1f%% (%d out of %d)" % (100.0 * tlc / tl, tlc, tl))
print("branches: %.1f%% (%d out of %d)" % (100.0 * tbc / tb, tbc, tb))
EOF
exit $status
