#!/bin/bash
# Does TCG give a guest's full barrier a host fence?  x86-64 Linux's
# smp_mb() (and so virtio's virt_mb()) is `lock addl $0,-4(%rsp)`, not
# mfence.  This boots a few instructions of multiboot code on build/qemu,
# once with -smp 1 and once with -smp 2, and reads TCG's intermediate ops
# for the locked add and for an mfence beside it.  Without a host fence, the
# guest's store-then-load of virtio's event index can be reordered against
# QEMU's I/O thread on the host, and a completion's interrupt can be lost.
#
#   scripts/tcg-barrier-probe.sh   -> results/tcg-barrier/<date>/summary.txt
set -euo pipefail
cd "$(dirname "$0")/.."
QEMU=build/qemu/qemu-system-x86_64
[ -x "$QEMU" ] || { echo "tcg-barrier-probe: $QEMU missing (make qemu)" >&2; exit 2; }
OUT=results/tcg-barrier/$(date -u +%Y%m%d-%H%M%S)
[ -e "$OUT" ] && { echo "tcg-barrier-probe: $OUT exists" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Store, locked add (the kernel's smp_mb), load; then mfence, load.
cat > "$WORK/probe.S" <<'EOF'
	.text
	.align 4
	.long 0x1BADB002
	.long 0x00000003
	.long -(0x1BADB002 + 0x00000003)
	.globl _start
_start:
	mov $0x90000, %esp
	movl $1, 0x80000
	lock addl $0, -4(%esp)
	movl 0x80004, %eax
	mfence
	movl 0x80008, %eax
1:	cli
	hlt
	jmp 1b
EOF
gcc -m32 -c "$WORK/probe.S" -o "$WORK/probe.o"
ld -m elf_i386 -Ttext=0x100000 -o "$WORK/probe.elf" "$WORK/probe.o"

mkdir -p "$OUT"
{
	echo "tcg-barrier-probe $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "qemu: $("$QEMU" --version | head -n1)"
	echo "tree: $(git describe --always --dirty)"
} > "$OUT/summary.txt"
for smp in 1 2; do
	# The guest halts at once; the timeout ends QEMU (status 124).
	timeout 5 "$QEMU" -L /usr/share/seabios -L /usr/share/qemu -M pc -accel tcg \
		-smp "$smp" -m 64 -nodefaults -display none -kernel "$WORK/probe.elf" \
		-d in_asm,op -D "$WORK/op.log" 2>/dev/null || true
	# The translation block at the probe's entry, up to the next one.
	awk '/^ *0x0010000c:/ { f = 1 } f && /^IN:/ { exit } f' "$WORK/op.log" \
		> "$OUT/ops-smp$smp.txt"
	# The locked add sits between the first guest store and the first
	# barrier-or-load of 0x80004; the mfence is the first "mb" after it.
	lock=$(awk '/---- 0+1b /{f = 1; next} /---- /{f = 0} f' "$OUT/ops-smp$smp.txt")
	if grep -q 'call atomic_add_fetch' <<<"$lock"; then
		how="a host atomic helper (a full barrier on an x86 host)"
	elif grep -q 'qemu_ld' <<<"$lock" && grep -q 'qemu_st' <<<"$lock"; then
		how="a plain load, add and store"
	else
		how="not found in the ops"
	fi
	if grep -q '^ *mb ' <<<"$lock"; then how="$how, with an mb op"; else how="$how, no mb op"; fi
	mfence=$(grep -c '^ *mb seq:all' "$OUT/ops-smp$smp.txt" || true)
	echo "-smp $smp: lock addl \$0,-4(%esp) -> $how; mb seq:all ops in the block: $mfence (the mfence)" \
		>> "$OUT/summary.txt"
done
cat "$OUT/summary.txt"
