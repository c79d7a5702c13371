// The Comptoir scale line protocol, version 1 (see PROTOCOL.md).
//
// Portable C++ with no Arduino header and no heap: the same code runs in the
// firmware and in the host unit tests, which check it against the shared
// test vectors (protocol-vectors.tsv) that the Python bridge checks too.
#pragma once

#include <cstddef>
#include <cstdint>

namespace scale {

constexpr int kProtocolVersion = 1;
constexpr size_t kMaxLine = 96;   // bytes of a line before its CR LF
constexpr size_t kMaxToken = 31;  // bytes of one space-separated token
constexpr size_t kMaxPairs = 8;   // key=value pairs in an ACK
constexpr int32_t kMaxDecigrams = 9999999;  // 999999.9 g, the largest weight a line can carry

enum class Verb : uint8_t { Hello, Weight, Error, Ack, Nak, Tare, Cal, Info, Rate };

// Why a line was refused; the names are the protocol's error kinds.
enum class LineError : uint8_t { None, Empty, TooLong, BadChar, BadFrame, BadCrc, BadSeq, UnknownVerb, BadArgs };

const char* verb_name(Verb verb);
const char* line_error_name(LineError error);  // "ok", "empty", "too_long", ...
bool is_command(Verb verb);                     // sent by the host (TARE, CAL, INFO, RATE)

// One decoded line. Which fields mean something depends on the verb.
struct Frame {
  uint16_t seq = 0;
  Verb verb = Verb::Hello;
  int32_t decigrams = 0;  // WEIGHT, CAL: tenths of a gram
  bool stable = false;    // WEIGHT
  uint16_t ref = 0;       // ACK, NAK: the seq of the command answered
  uint16_t number = 0;    // HELLO: protocol version; RATE: reports per second
  char word[kMaxToken + 1] = {};   // ERROR, NAK: code; ACK: command; HELLO: firmware version
  char word2[kMaxToken + 1] = {};  // HELLO: board
  char pairs[kMaxLine + 1] = {};   // ACK: "key=value ..." as sent
};

// Decode one line (without its line feed; a trailing CR is allowed). On
// unknown_verb and bad_args, out.seq is still set (the CRC was good), so a
// device can NAK the command by its seq; on bad_args out.verb is set too.
LineError parse_line(const char* line, size_t len, Frame& out);

// Encode a frame as a full line with CRC and CR LF; returns its length, 0 if it does not fit in cap.
size_t encode(const Frame& frame, char* buf, size_t cap);

// The canonical one-line meaning of a frame, identical on the Python side.
size_t describe(const Frame& frame, char* buf, size_t cap);

// Formats tenths of a gram as "-12.5"; returns the length.
size_t format_decigrams(int32_t decigrams, char* buf, size_t cap);

// Cuts a byte stream into lines; an over-long line is discarded up to its
// line feed and reported once, so the next line is read normally.
class LineAssembler {
 public:
  enum class Event : uint8_t { None, Line, TooLong };
  Event feed(char c);
  const char* line() const { return buf_; }
  size_t length() const { return len_; }
  void reset() { len_ = 0; overflow_ = false; }

 private:
  char buf_[kMaxLine + 2] = {};  // room for a CR and the terminating zero
  size_t len_ = 0;
  bool overflow_ = false;
  bool done_ = false;
};

}  // namespace scale
