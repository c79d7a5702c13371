#include "protocol.h"

#include <cstdio>
#include <cstring>

#include "crc16.h"

namespace scale {

namespace {

struct Token {
  const char* p;
  size_t n;
};

bool equals(const Token& t, const char* s) { return std::strlen(s) == t.n && std::memcmp(t.p, s, t.n) == 0; }

bool is_token_char(char c) { return c > 0x20 && c < 0x7F && c != '*'; }

bool is_hex_upper(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

int hex_value(char c) { return c <= '9' ? c - '0' : c - 'A' + 10; }

// Unsigned decimal without leading zeros, at most max_value.
bool parse_uint(const Token& t, uint32_t max_value, uint32_t& out) {
  if (t.n == 0 || t.n > 5 || (t.n > 1 && t.p[0] == '0')) return false;
  uint32_t v = 0;
  for (size_t i = 0; i < t.n; ++i) {
    if (t.p[i] < '0' || t.p[i] > '9') return false;
    v = v * 10 + static_cast<uint32_t>(t.p[i] - '0');
  }
  if (v > max_value) return false;
  out = v;
  return true;
}

// "-?D{1,6}.D" with no leading zeros, as tenths.
bool parse_decigrams(const Token& t, int32_t& out) {
  size_t i = 0;
  bool negative = false;
  if (t.n > 0 && t.p[0] == '-') {
    negative = true;
    i = 1;
  }
  size_t digits = t.n - i;
  if (t.n < 3 + i || digits > 8 || t.p[t.n - 2] != '.') return false;
  size_t int_len = digits - 2;
  if (int_len > 1 && t.p[i] == '0') return false;
  int32_t v = 0;
  for (size_t k = i; k < t.n; ++k) {
    if (k == t.n - 2) continue;
    if (t.p[k] < '0' || t.p[k] > '9') return false;
    v = v * 10 + (t.p[k] - '0');
  }
  if (negative && v == 0) return false;  // "-0.0" is not canonical
  out = negative ? -v : v;
  return true;
}

bool is_code(const Token& t) {
  if (t.n == 0 || t.n > kMaxToken || t.p[0] < 'A' || t.p[0] > 'Z') return false;
  for (size_t i = 0; i < t.n; ++i) {
    char c = t.p[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool is_pair(const Token& t) {
  size_t eq = 0;
  while (eq < t.n && t.p[eq] != '=') ++eq;
  if (eq == 0 || eq > 15 || eq + 1 >= t.n || t.n > kMaxToken) return false;
  if (t.p[0] < 'a' || t.p[0] > 'z') return false;
  for (size_t i = 0; i < eq; ++i) {
    char c = t.p[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

void copy_token(const Token& t, char* dst) {
  std::memcpy(dst, t.p, t.n);
  dst[t.n] = '\0';
}

struct Writer {
  char* buf;
  size_t cap;
  size_t len = 0;
  bool ok = true;

  void put(const char* s, size_t n) {
    if (len + n + 1 > cap) {
      ok = false;
      return;
    }
    std::memcpy(buf + len, s, n);
    len += n;
    buf[len] = '\0';
  }
  void put(const char* s) { put(s, std::strlen(s)); }
  void put_uint(uint32_t v) {
    char tmp[12];
    int n = std::snprintf(tmp, sizeof tmp, "%lu", static_cast<unsigned long>(v));
    put(tmp, static_cast<size_t>(n));
  }
  void put_decigrams(int32_t v) {
    char tmp[16];
    put(tmp, format_decigrams(v, tmp, sizeof tmp));
  }
};

const char* const kVerbs[] = {"HELLO", "WEIGHT", "ERROR", "ACK", "NAK", "TARE", "CAL", "INFO", "RATE"};
const char* const kErrors[] = {"ok",       "empty",   "too_long", "bad_char", "bad_frame",
                               "bad_crc", "bad_seq", "unknown_verb", "bad_args"};

}  // namespace

const char* verb_name(Verb verb) { return kVerbs[static_cast<int>(verb)]; }

const char* line_error_name(LineError error) { return kErrors[static_cast<int>(error)]; }

bool is_command(Verb verb) {
  return verb == Verb::Tare || verb == Verb::Cal || verb == Verb::Info || verb == Verb::Rate;
}

size_t format_decigrams(int32_t decigrams, char* buf, size_t cap) {
  int64_t v = decigrams;
  const char* sign = v < 0 ? "-" : "";
  if (v < 0) v = -v;
  int n = std::snprintf(buf, cap, "%s%ld.%ld", sign, static_cast<long>(v / 10), static_cast<long>(v % 10));
  return n < 0 || static_cast<size_t>(n) >= cap ? 0 : static_cast<size_t>(n);
}

LineError parse_line(const char* line, size_t len, Frame& out) {
  if (len > 0 && line[len - 1] == '\r') --len;
  if (len == 0) return LineError::Empty;
  if (len > kMaxLine) return LineError::TooLong;
  for (size_t i = 0; i < len; ++i) {
    if (line[i] < 0x20 || line[i] > 0x7E) return LineError::BadChar;
  }
  // Trailer " *HHHH".
  if (len < 7 || line[len - 6] != ' ' || line[len - 5] != '*') return LineError::BadFrame;
  uint16_t sent = 0;
  for (size_t i = len - 4; i < len; ++i) {
    if (!is_hex_upper(line[i])) return LineError::BadFrame;
    sent = static_cast<uint16_t>((sent << 4) | hex_value(line[i]));
  }
  size_t payload_len = len - 6;
  if (crc16(line, payload_len) != sent) return LineError::BadCrc;

  Token tokens[3 + kMaxPairs + 1];
  size_t count = 0;
  size_t start = 0;
  for (size_t i = 0; i <= payload_len; ++i) {
    if (i == payload_len || line[i] == ' ') {
      if (i == start) return LineError::BadFrame;  // empty token: leading, trailing or double space
      if (count < sizeof tokens / sizeof tokens[0]) tokens[count] = Token{line + start, i - start};
      ++count;
      start = i + 1;
    } else if (!is_token_char(line[i])) {
      return LineError::BadFrame;
    }
  }
  if (count < 2) return LineError::BadFrame;

  Frame f;
  uint32_t value = 0;
  if (!parse_uint(tokens[0], 65535, value)) return LineError::BadSeq;
  f.seq = static_cast<uint16_t>(value);
  out.seq = f.seq;  // past the CRC the seq is trustworthy, even if the rest is refused

  int verb = -1;
  for (int i = 0; i < static_cast<int>(sizeof kVerbs / sizeof kVerbs[0]); ++i) {
    if (equals(tokens[1], kVerbs[i])) verb = i;
  }
  if (verb < 0) return LineError::UnknownVerb;
  f.verb = static_cast<Verb>(verb);
  out.verb = f.verb;

  if (count > sizeof tokens / sizeof tokens[0]) return LineError::BadArgs;
  const Token* args = tokens + 2;
  size_t nargs = count - 2;
  for (size_t i = 0; i < nargs; ++i) {
    if (args[i].n > kMaxToken) return LineError::BadArgs;
  }
  switch (f.verb) {
    case Verb::Hello:
      if (nargs != 3 || !parse_uint(args[0], 65535, value) || value == 0) return LineError::BadArgs;
      f.number = static_cast<uint16_t>(value);
      copy_token(args[1], f.word);
      copy_token(args[2], f.word2);
      break;
    case Verb::Weight:
      if (nargs != 2 || !parse_decigrams(args[0], f.decigrams)) return LineError::BadArgs;
      if (equals(args[1], "STABLE")) {
        f.stable = true;
      } else if (!equals(args[1], "MOVING")) {
        return LineError::BadArgs;
      }
      break;
    case Verb::Error:
      if (nargs != 1 || !is_code(args[0])) return LineError::BadArgs;
      copy_token(args[0], f.word);
      break;
    case Verb::Ack: {
      if (nargs < 2 || nargs > 2 + kMaxPairs || !parse_uint(args[0], 65535, value)) return LineError::BadArgs;
      f.ref = static_cast<uint16_t>(value);
      bool known = false;
      for (int v = static_cast<int>(Verb::Tare); v <= static_cast<int>(Verb::Rate); ++v) {
        if (equals(args[1], kVerbs[v])) known = true;
      }
      if (!known) return LineError::BadArgs;
      copy_token(args[1], f.word);
      if (nargs > 2) {
        for (size_t i = 2; i < nargs; ++i) {
          if (!is_pair(args[i])) return LineError::BadArgs;
        }
        const char* from = args[2].p;
        size_t n = static_cast<size_t>(args[nargs - 1].p + args[nargs - 1].n - from);
        std::memcpy(f.pairs, from, n);
        f.pairs[n] = '\0';
      }
      break;
    }
    case Verb::Nak:
      if (nargs != 2 || !parse_uint(args[0], 65535, value) || !is_code(args[1])) return LineError::BadArgs;
      f.ref = static_cast<uint16_t>(value);
      copy_token(args[1], f.word);
      break;
    case Verb::Tare:
    case Verb::Info:
      if (nargs != 0) return LineError::BadArgs;
      break;
    case Verb::Cal:
      if (nargs != 1 || !parse_decigrams(args[0], f.decigrams) || f.decigrams <= 0) return LineError::BadArgs;
      break;
    case Verb::Rate:
      if (nargs != 1 || !parse_uint(args[0], 80, value) || value == 0) return LineError::BadArgs;
      f.number = static_cast<uint16_t>(value);
      break;
  }
  out = f;
  return LineError::None;
}

size_t encode(const Frame& f, char* buf, size_t cap) {
  Writer w{buf, cap};
  w.put_uint(f.seq);
  w.put(" ");
  w.put(verb_name(f.verb));
  switch (f.verb) {
    case Verb::Hello:
      w.put(" ");
      w.put_uint(f.number);
      w.put(" ");
      w.put(f.word);
      w.put(" ");
      w.put(f.word2);
      break;
    case Verb::Weight:
      w.put(" ");
      w.put_decigrams(f.decigrams);
      w.put(f.stable ? " STABLE" : " MOVING");
      break;
    case Verb::Error:
      w.put(" ");
      w.put(f.word);
      break;
    case Verb::Ack:
      w.put(" ");
      w.put_uint(f.ref);
      w.put(" ");
      w.put(f.word);
      if (f.pairs[0] != '\0') {
        w.put(" ");
        w.put(f.pairs);
      }
      break;
    case Verb::Nak:
      w.put(" ");
      w.put_uint(f.ref);
      w.put(" ");
      w.put(f.word);
      break;
    case Verb::Tare:
    case Verb::Info:
      break;
    case Verb::Cal:
      w.put(" ");
      w.put_decigrams(f.decigrams);
      break;
    case Verb::Rate:
      w.put(" ");
      w.put_uint(f.number);
      break;
  }
  if (!w.ok || w.len > kMaxLine - 6) return 0;
  char trailer[10];
  std::snprintf(trailer, sizeof trailer, " *%04X\r\n", crc16(buf, w.len));
  w.put(trailer);
  return w.ok ? w.len : 0;
}

size_t describe(const Frame& f, char* buf, size_t cap) {
  Writer w{buf, cap};
  w.put("seq=");
  w.put_uint(f.seq);
  w.put(" ");
  w.put(verb_name(f.verb));
  switch (f.verb) {
    case Verb::Hello:
      w.put(" proto=");
      w.put_uint(f.number);
      w.put(" fw=");
      w.put(f.word);
      w.put(" board=");
      w.put(f.word2);
      break;
    case Verb::Weight:
      w.put(" grams=");
      w.put_decigrams(f.decigrams);
      w.put(f.stable ? " stable=1" : " stable=0");
      break;
    case Verb::Error:
      w.put(" code=");
      w.put(f.word);
      break;
    case Verb::Ack:
      w.put(" ref=");
      w.put_uint(f.ref);
      w.put(" cmd=");
      w.put(f.word);
      if (f.pairs[0] != '\0') {
        w.put(" ");
        w.put(f.pairs);
      }
      break;
    case Verb::Nak:
      w.put(" ref=");
      w.put_uint(f.ref);
      w.put(" code=");
      w.put(f.word);
      break;
    case Verb::Tare:
    case Verb::Info:
      break;
    case Verb::Cal:
      w.put(" grams=");
      w.put_decigrams(f.decigrams);
      break;
    case Verb::Rate:
      w.put(" hz=");
      w.put_uint(f.number);
      break;
  }
  return w.ok ? w.len : 0;
}

LineAssembler::Event LineAssembler::feed(char c) {
  if (done_) {  // the previous call returned a line: start a new one
    len_ = 0;
    done_ = false;
  }
  if (c == '\n') {
    done_ = true;
    if (overflow_) {
      overflow_ = false;
      len_ = 0;
      return Event::TooLong;
    }
    buf_[len_] = '\0';
    return Event::Line;
  }
  if (overflow_) return Event::None;
  if (len_ >= kMaxLine + 1) {  // kMaxLine bytes plus a CR
    overflow_ = true;
    return Event::None;
  }
  buf_[len_++] = c;
  return Event::None;
}

}  // namespace scale
