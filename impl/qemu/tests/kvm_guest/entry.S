/* Multiboot (v1) entry: QEMU's -kernel loader starts us in 32-bit
 * protected mode, flat segments, paging off, EAX = magic, EBX = info. */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000002	/* want mem_lower/mem_upper */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.globl _start
_start:
	cli
	movl $stack_top, %esp
	pushl %ebx
	pushl %eax
	call kg_main
1:	hlt
	jmp 1b

	.bss
	.align 16
	.space 16384
stack_top:
	.section .note.GNU-stack, "", @progbits
