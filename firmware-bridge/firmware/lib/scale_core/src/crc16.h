// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor).
// Chosen because every language has it and its check value is well known:
// crc16("123456789") == 0x29B1.
#pragma once

#include <cstddef>
#include <cstdint>

namespace scale {

uint16_t crc16(const char* data, size_t len);

}  // namespace scale
