// The protocol core against the shared vectors (protocol-vectors.tsv), which the
// Python bridge's tests check too: both sides agree byte for byte.
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "check.h"
#include "crc16.h"
#include "protocol.h"
#include "vectors.h"

using namespace scale;

namespace {

std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '\\') {
      out += '\\';
      ++i;
    } else if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x') {
      out += static_cast<char>(std::stoi(s.substr(i + 2, 2), nullptr, 16));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> cols;
  std::string col;
  std::istringstream in(line);
  while (std::getline(in, col, '\t')) cols.push_back(col);
  if (!line.empty() && line.back() == '\t') cols.push_back("");
  return cols;
}

}  // namespace

std::vector<Vector> load_vectors(const char* path) {
  std::vector<Vector> vectors;
  std::ifstream file(path);
  CHECK(file.good());
  std::string row;
  while (std::getline(file, row)) {
    if (row.empty() || row[0] == '#') continue;
    std::vector<std::string> cols = split_tabs(row);
    while (cols.size() < 3) cols.push_back("");
    vectors.push_back(Vector{cols[0], unescape(cols[1]), cols[1], cols[2]});
  }
  return vectors;
}

void test_vectors(const char* path) {
  int rows = 0, ok_rows = 0;
  for (const Vector& v : load_vectors(path)) {
    ++rows;
    if (v.expect == "crc") {
      char hex[5];
      std::snprintf(hex, sizeof hex, "%04X", crc16(v.line.data(), v.line.size()));
      CHECK_EQ(std::string(hex), v.meaning);
      continue;
    }
    Frame frame;
    LineError error = parse_line(v.line.data(), v.line.size(), frame);
    CHECK_EQ(std::string(line_error_name(error)) + " <- " + v.escaped, v.expect + " <- " + v.escaped);
    if (v.expect != "ok" || error != LineError::None) continue;
    ++ok_rows;
    char meaning[200];
    describe(frame, meaning, sizeof meaning);
    CHECK_EQ(std::string(meaning), v.meaning);
    char encoded[kMaxLine + 3];
    size_t n = encode(frame, encoded, sizeof encoded);
    CHECK_EQ(std::string(encoded, n), v.line + "\r\n");
    // The same line with CR LF parses the same way.
    Frame again;
    std::string with_cr = v.line + "\r";
    CHECK(parse_line(with_cr.data(), with_cr.size(), again) == LineError::None);
  }
  CHECK(rows >= 40);
  CHECK(ok_rows >= 15);
}

void test_seq_survives_bad_args() {
  const char* line = "42 RATE 0 *";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%04X", line, crc16("42 RATE 0", 9));
  Frame frame;
  CHECK(parse_line(buf, std::strlen(buf), frame) == LineError::BadArgs);
  CHECK_EQ(frame.seq, 42);
}

void test_assembler_recovers_after_long_line() {
  LineAssembler lines;
  std::string stream(150, 'x');
  stream += "\n1 TARE *";
  char crc[5];
  std::snprintf(crc, sizeof crc, "%04X", crc16("1 TARE", 6));
  stream += crc;
  stream += "\r\n";
  int too_long = 0, good = 0;
  for (char c : stream) {
    switch (lines.feed(c)) {
      case LineAssembler::Event::TooLong:
        ++too_long;
        break;
      case LineAssembler::Event::Line: {
        Frame f;
        if (parse_line(lines.line(), lines.length(), f) == LineError::None && f.verb == Verb::Tare) ++good;
        break;
      }
      default:
        break;
    }
  }
  CHECK_EQ(too_long, 1);
  CHECK_EQ(good, 1);
}

void test_line_of_exactly_max_length() {
  // 96 bytes is allowed, 97 is not.
  char crc[5];
  std::string payload = "1 ACK 2 INFO a=vvvvvvvvvvvvvvvvvvvvvvvvvvvvv b=vvvvvvvvvvvvvvvvvvvvvvvvvvvvv c=vvvvvvvvvvv";
  payload.resize(kMaxLine - 6);
  std::snprintf(crc, sizeof crc, "%04X", crc16(payload.data(), payload.size()));
  std::string line = payload + " *" + crc;
  CHECK_EQ(line.size(), kMaxLine);
  Frame f;
  CHECK(parse_line(line.data(), line.size(), f) == LineError::None);
  std::string longer = payload + "v *";
  std::snprintf(crc, sizeof crc, "%04X", crc16(longer.data(), longer.size() - 2));
  longer += crc;
  CHECK(parse_line(longer.data(), longer.size(), f) == LineError::TooLong);
}
