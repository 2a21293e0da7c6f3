#!/bin/sh
# Cheap checks of the specification proposal in this folder.  No LaTeX
# installation is needed; nothing is built.
#
#   sh impl/spec/check.sh                 structure checks, and chktex if installed
#   VIRTIO_SPEC=DIR sh impl/spec/check.sh also resolve the references to
#                                         existing sections against a checkout
#                                         of the virtio specification in DIR
#
# Exit status 0 when every check passes.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
status=0

python3 - "$here" "${VIRTIO_SPEC:-}" <<'EOF' || status=1
import os
import re
import sys

here, spec = sys.argv[1], sys.argv[2]
files = ["balloon-free-page-bitmap.tex", "conformance.tex"]
errors = []


def strip_comments(line):
    # A % that is not escaped starts a comment.
    return re.sub(r"(?<!\\)%.*", "", line)


labels = set()
texts = {}
for name in files:
    with open(os.path.join(here, name), encoding="utf-8") as f:
        lines = [strip_comments(l) for l in f.read().split("\n")]
    texts[name] = lines

    depth = 0
    envs = []
    for no, line in enumerate(lines, 1):
        body = re.sub(r"\\[{}]", "", line)
        for ch in body:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth < 0:
                    errors.append(f"{name}:{no}: unmatched }}")
                    depth = 0
        for kind, env in re.findall(r"\\(begin|end)\{([^}]*)\}", line):
            if kind == "begin":
                envs.append((env, no))
            elif not envs:
                errors.append(f"{name}:{no}: \\end{{{env}}} without \\begin")
            else:
                top, at = envs.pop()
                if top != env:
                    errors.append(f"{name}:{no}: \\end{{{env}}} closes "
                                  f"\\begin{{{top}}} of line {at}")
    if depth:
        errors.append(f"{name}: {depth} unclosed {{")
    for env, at in envs:
        errors.append(f"{name}:{at}: \\begin{{{env}}} never closed")

    text = "\n".join(lines)
    for m in re.finditer(r"\\label\{([^}]*)\}", text):
        labels.add(m.group(1))
    for m in re.finditer(
            r"\\(device|driver)normative\{[^}]*\}\{[^}]*\}\{([^}]*)\}", text):
        labels.add(f"{m.group(1)}normative:{m.group(2)}")

# Labels of the existing specification, if a checkout was given.
spec_labels = set()
if spec:
    for root, _, names in os.walk(spec):
        for n in names:
            if not n.endswith(".tex"):
                continue
            with open(os.path.join(root, n), encoding="utf-8",
                      errors="replace") as f:
                t = f.read()
            spec_labels.update(re.findall(r"\\label\{([^}]*)\}", t))
            for m in re.finditer(r"\\(device|driver)normative\{[^}]*\}"
                                 r"\{[^}]*\}\{([^}]*)\}", t):
                spec_labels.add(f"{m.group(1)}normative:{m.group(2)}")
    if not spec_labels:
        errors.append(f"VIRTIO_SPEC={spec}: no labels found there")

for name, lines in texts.items():
    text = " ".join(lines)
    for m in re.finditer(r"\\ref\{([^}]*)\}", text):
        ref = re.sub(r"\s+", " ", m.group(1))
        if ref in labels or ref in spec_labels:
            continue
        if "Free Page Bitmap" in ref or spec_labels:
            errors.append(f"{name}: \\ref{{{ref}}} does not resolve")

# Every new normative section is listed in the conformance clauses.
conf = " ".join(texts["conformance.tex"])
for label in sorted(labels):
    if label.startswith(("devicenormative:", "drivernormative:")) \
            or "Legacy Interface" in label:
        if label not in conf:
            errors.append(f"conformance.tex: no item for {label}")

for e in errors:
    print("check:", e)
print("check: structure", "FAILED" if errors else "ok",
      f"({len(labels)} labels)")
sys.exit(1 if errors else 0)
EOF

if command -v chktex >/dev/null 2>&1; then
    # 12, 13 (spacing after a period) and 36 (space before a parenthesis)
    # are the warnings the specification's own balloon text raises, and 2
    # (no ~ before \ref) the one its conformance lists raise.
    for f in balloon-free-page-bitmap.tex conformance.tex; do
        skip="-n12 -n13 -n36"
        [ "$f" = conformance.tex ] && skip="$skip -n2"
        # shellcheck disable=SC2086
        out=$(chktex -q $skip "$here/$f" 2>&1) || true
        if [ -n "$out" ]; then
            printf '%s\n' "$out"
            status=1
        fi
    done
    [ $status -eq 0 ] && echo "check: chktex ok"
else
    echo "check: chktex not installed (apt-get install chktex), skipped"
fi

exit $status
