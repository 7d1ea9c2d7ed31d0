/* libFuzzer driver for the expect target (tests/fuzz/targets.c); built with --enable-fuzzing. */
#include "tests/fuzz/targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_expect(data, size); }
