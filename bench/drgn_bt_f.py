# SPDX-License-Identifier: GPL-2.0-or-later
# drgn's side of the `bt -f` job: the crashed thread's frames, each with its
# stack words annotated with symbols (what bt -f shows).
trace = prog.crashed_thread().stack_trace()
frames = list(trace)
for i, f in enumerate(frames):
    print(f)
    # As ktriage does: up to the next frame on the same stack, 128 words.
    if i + 1 < len(frames) and 0 < frames[i + 1].sp - f.sp <= 128 * 8:
        for addr in range(f.sp, frames[i + 1].sp, 8):
            try:
                value = prog.read_u64(addr)
            except Exception:
                break
            try:
                sym = prog.symbol(value).name
            except LookupError:
                sym = ""
            print(hex(addr), hex(value), sym)
