/* unwind_splice.S - unwind a goroutine that is not running, without
 * touching its stack (traceback.cpp).
 *
 * A parked goroutine is a saved Boost.Context fcontext: at fctx lie the
 * registers jump_fcontext saved (0x08 r12, 0x10 r13, 0x18 r14, 0x20 r15,
 * 0x28 rbx, 0x30 rbp) and at fctx+0x38 the address the goroutine resumes
 * at. The C++ unwinder (libgcc's _Unwind_Backtrace) only walks the stack it
 * is called on. So this function is a splice: it calls fn(arg) on the
 * caller's own stack, and its call frame information says that *its*
 * caller is the suspended goroutine: the canonical frame address is the
 * stack pointer the goroutine had when it switched (caller_sp), the return
 * address and the callee-saved registers are read from the save area. An
 * unwind started inside fn therefore walks fn, this frame, and then the
 * goroutine's frames, read-only, while the goroutine stays where it is.
 *
 *   void gort_unwind_splice(void *fctx, uintptr_t caller_sp,
 *                           void (*fn)(void *), void *arg);
 *
 * Frame: 0(%rsp) = fctx, 8(%rsp) = caller_sp. The DWARF rules (escapes,
 * as the assembler has no directive for expressions):
 *   CFA        = *(rsp + 8)                       0x0f: def_cfa_expression
 *   reg N      saved at *(rsp + 0) + offset       0x10: expression
 * with DWARF numbers rbx 3, rbp 6, r12-r15 12-15, return address 16, and
 * the operations breg7 (rsp + k) 0x77, deref 0x06, plus_uconst 0x23.
 */
#if defined(__x86_64__) && defined(__ELF__)
    .text
    .p2align 4
    .globl gort_unwind_splice
    .hidden gort_unwind_splice
    .type gort_unwind_splice, @function
gort_unwind_splice:
    .cfi_startproc
    subq $24, %rsp
    .cfi_adjust_cfa_offset 24
    movq %rdi, 0(%rsp)
    movq %rsi, 8(%rsp)
    .cfi_escape 0x0f, 0x03, 0x77, 0x08, 0x06
    .cfi_escape 0x10, 0x10, 0x05, 0x77, 0x00, 0x06, 0x23, 0x38
    .cfi_escape 0x10, 0x03, 0x05, 0x77, 0x00, 0x06, 0x23, 0x28
    .cfi_escape 0x10, 0x06, 0x05, 0x77, 0x00, 0x06, 0x23, 0x30
    .cfi_escape 0x10, 0x0c, 0x05, 0x77, 0x00, 0x06, 0x23, 0x08
    .cfi_escape 0x10, 0x0d, 0x05, 0x77, 0x00, 0x06, 0x23, 0x10
    .cfi_escape 0x10, 0x0e, 0x05, 0x77, 0x00, 0x06, 0x23, 0x18
    .cfi_escape 0x10, 0x0f, 0x05, 0x77, 0x00, 0x06, 0x23, 0x20
    movq %rcx, %rdi
    call *%rdx
    .globl gort_unwind_splice_ret
    .hidden gort_unwind_splice_ret
gort_unwind_splice_ret:
    nop
    addq $24, %rsp
    ret
    .cfi_endproc
    .size gort_unwind_splice, .-gort_unwind_splice
#endif
    .section .note.GNU-stack,"",@progbits
