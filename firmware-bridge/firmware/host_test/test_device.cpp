// The scale's behaviour seen from the serial line: what a host receives.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "crc16.h"
#include "scale_device.h"
#include "vectors.h"

using namespace scale;

namespace {

struct Capture : LineSink {
  std::vector<std::string> lines;
  void write_line(const char* data, size_t len) override { lines.emplace_back(data, len); }
  std::vector<std::string> meanings() const {
    std::vector<std::string> out;
    for (const std::string& l : lines) {
      Frame f;
      std::string bare = l.substr(0, l.size() - 1);  // drop the LF; parse_line takes the CR
      if (parse_line(bare.data(), bare.size(), f) != LineError::None) {
        out.push_back("UNPARSABLE " + l);
        continue;
      }
      char buf[200];
      describe(f, buf, sizeof buf);
      out.emplace_back(buf);
    }
    return out;
  }
  std::string last() const { return meanings().back(); }
};

// A load cell: raw = 8000 + 400 counts per gram * grams.
constexpr int32_t kOffset = 8000;
constexpr float kCountsPerGram = 400.0f;

int32_t raw_for(float grams) { return kOffset + static_cast<int32_t>(std::lround(kCountsPerGram * grams)); }

struct Bench {
  Capture out;
  ScaleDevice device;
  uint32_t now = 0;
  Bench() : device(out, "1.0.0", "host", DeviceParams(), Calibration{kOffset, kCountsPerGram}) { device.begin(0); }
  // Runs the scale for ms milliseconds at 10 samples/s with the given load.
  void run(uint32_t ms, float grams) {
    for (uint32_t end = now + ms; now < end;) {
      now += 100;
      device.on_sample(now, raw_for(grams));
      device.tick(now);
    }
  }
  void send(uint16_t seq, const char* command) {
    std::string payload = std::to_string(seq) + " " + command;
    char crc[5];
    std::snprintf(crc, sizeof crc, "%04X", crc16(payload.data(), payload.size()));
    std::string line = payload + " *" + crc + "\r\n";
    for (char c : line) device.on_byte(now, c);
  }
  void send_raw(const std::string& bytes) {
    for (char c : bytes) device.on_byte(now, c);
  }
};

}  // namespace

void test_device_greets_then_reports_weight() {
  Bench b;
  CHECK_EQ(b.out.meanings().front(), std::string("seq=0 HELLO proto=1 fw=1.0.0 board=host"));
  b.run(3000, 1234.5f);
  CHECK_EQ(b.out.last(), std::string("seq=30 WEIGHT grams=1234.5 stable=1"));
  CHECK_EQ(b.out.lines.size(), 31u);  // 10 reports a second
}

void test_device_tare_zeroes_the_shelf() {
  Bench b;
  b.run(2000, 350.0f);  // the empty tray weighs 350 g
  b.send(7, "TARE");
  CHECK_EQ(b.out.last(), std::string("seq=21 ACK ref=7 cmd=TARE"));
  CHECK(b.device.take_calibration_changed());
  CHECK(!b.device.take_calibration_changed());
  b.run(2000, 350.0f);
  CHECK_EQ(b.out.last(), std::string("seq=41 WEIGHT grams=0.0 stable=1"));
  b.run(2000, 600.0f);  // one 250 g item put on the tray
  CHECK_EQ(b.out.last(), std::string("seq=61 WEIGHT grams=250.0 stable=1"));
}

void test_device_retry_is_answered_without_running_twice() {
  Bench b;
  b.run(2000, 350.0f);
  b.send(7, "TARE");
  b.run(2000, 450.0f);
  b.send(7, "TARE");  // the host did not see the ACK and sends the same command again
  CHECK_EQ(b.out.last(), std::string("seq=42 ACK ref=7 cmd=TARE"));
  b.run(2000, 450.0f);
  CHECK_EQ(b.out.last(), std::string("seq=62 WEIGHT grams=100.0 stable=1"));
}

void test_device_calibration() {
  Bench b;
  b.run(2000, 0.0f);
  b.send(3, "TARE");
  b.run(2000, 500.0f);
  b.send(4, "CAL 1000.0");  // the technician says the mass is 1000 g: the factor doubles
  CHECK_EQ(b.out.last(), std::string("seq=42 ACK ref=4 cmd=CAL"));
  CHECK(std::fabs(b.device.calibration().counts_per_gram - 200.0f) < 0.5f);
  b.run(2000, 500.0f);
  CHECK_EQ(b.out.last(), std::string("seq=62 WEIGHT grams=1000.0 stable=1"));
}

void test_device_calibration_refused_without_load() {
  Bench b;
  b.run(2000, 0.0f);
  b.send(3, "CAL 500.0");
  CHECK_EQ(b.out.last(), std::string("seq=21 NAK ref=3 code=CAL_FAILED"));
}

void test_device_rate_and_info() {
  Bench b;
  b.run(1000, 10.0f);
  b.send(1, "RATE 2");
  CHECK_EQ(b.out.last(), std::string("seq=11 ACK ref=1 cmd=RATE"));
  size_t before = b.out.lines.size();
  b.run(2000, 10.0f);
  CHECK_EQ(b.out.lines.size() - before, 4u);  // 2 a second
  b.send(2, "INFO");
  CHECK_EQ(b.out.last(), std::string("seq=16 ACK ref=2 cmd=INFO proto=1 fw=1.0.0 rate=2 cap_g=20000 cpg=400.000"));
}

void test_device_refuses_bad_commands() {
  Bench b;
  b.run(1000, 10.0f);
  b.send(5, "RATE 0");
  CHECK_EQ(b.out.last(), std::string("seq=11 NAK ref=5 code=BAD_ARGS"));
  b.send(6, "JUMP");
  CHECK_EQ(b.out.last(), std::string("seq=12 NAK ref=6 code=UNKNOWN_COMMAND"));
  b.send(7, "WEIGHT 1.0 STABLE");
  CHECK_EQ(b.out.last(), std::string("seq=13 NAK ref=7 code=UNKNOWN_COMMAND"));
  b.send_raw("8 TARE *0000\r\n");
  CHECK_EQ(b.out.last(), std::string("seq=14 ERROR code=BAD_LINE"));
  b.send_raw(std::string(200, '\xAA') + "\n");
  CHECK_EQ(b.out.last(), std::string("seq=15 ERROR code=BAD_LINE"));
  b.send_raw("\r\n");  // an empty line is not an error
  CHECK_EQ(b.out.lines.size(), 16u);
  b.send(9, "INFO");  // and the next good command works
  CHECK(b.out.last().rfind("seq=16 ACK ref=9 cmd=INFO", 0) == 0);
}

void test_device_not_ready_and_overload() {
  Bench b;
  b.now = 1000;
  b.device.tick(b.now);  // no reading from the HX711 for a second
  CHECK_EQ(b.out.last(), std::string("seq=1 ERROR code=NOT_READY"));
  b.run(2000, 25000.0f);  // over the 20 kg capacity
  CHECK_EQ(b.out.last(), std::string("seq=21 ERROR code=OVERLOAD"));
  b.now += 100;
  b.device.on_sample(b.now, 8388607);  // the converter saturates
  b.device.tick(b.now);
  CHECK_EQ(b.out.last(), std::string("seq=22 ERROR code=OVERLOAD"));
  b.send(3, "TARE");
  CHECK_EQ(b.out.last(), std::string("seq=23 NAK ref=3 code=NOT_READY"));
}

// Every vector line sent to the scale gets the answer PROTOCOL.md gives:
// a good command runs; a command with bad arguments is NAKed BAD_ARGS by its
// seq; any other line with a good CRC is NAKed UNKNOWN_COMMAND; a line whose
// seq cannot be trusted gets ERROR BAD_LINE; an empty line gets nothing.
void test_device_answers_every_vector(const char* path) {
  for (const Vector& v : load_vectors(path)) {
    if (v.expect == "crc") continue;
    Bench b;
    b.run(1000, 10.0f);
    size_t before = b.out.lines.size();
    b.send_raw(v.line + "\n");
    if (v.expect == "empty") {
      CHECK_EQ(b.out.lines.size(), before);
      continue;
    }
    std::string head = "seq=11 ";
    std::string want = head + "ERROR code=BAD_LINE";
    bool seq_trusted = v.expect == "ok" || v.expect == "unknown_verb" || v.expect == "bad_args";
    std::string seq, verb;
    if (seq_trusted) {
      seq = v.line.substr(0, v.line.find(' '));
      size_t verb_end = v.line.find(' ', seq.size() + 1);
      verb = v.line.substr(seq.size() + 1, verb_end - seq.size() - 1);
    }
    bool command = verb == "TARE" || verb == "CAL" || verb == "INFO" || verb == "RATE";
    if (!seq_trusted) {
      // ERROR BAD_LINE, set above
    } else if (v.expect == "ok" && command) {
      want = head + "ACK ref=" + seq + " cmd=" + verb;
    } else if (v.expect == "ok" || v.expect == "unknown_verb" || (v.expect == "bad_args" && !command)) {
      want = head + "NAK ref=" + seq + " code=UNKNOWN_COMMAND";
    } else {
      want = head + "NAK ref=" + seq + " code=BAD_ARGS";
    }
    CHECK_EQ(b.out.last().substr(0, want.size()) + " <- " + v.escaped, want + " <- " + v.escaped);
  }
}
