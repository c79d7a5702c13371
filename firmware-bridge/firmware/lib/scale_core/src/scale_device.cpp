#include "scale_device.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace scale {

namespace {

constexpr int32_t kHx711Max = 8388607;   // 0x7FFFFF: the converter is out of range
constexpr int32_t kHx711Min = -8388608;  // 0x800000

void set_word(char* dst, const char* src) {
  std::strncpy(dst, src, kMaxToken);
  dst[kMaxToken] = '\0';
}

}  // namespace

ScaleDevice::ScaleDevice(LineSink& out, const char* firmware, const char* board, const DeviceParams& params,
                         const Calibration& calibration)
    : out_(out), firmware_(firmware), board_(board), params_(params), calibration_(calibration),
      filter_(params.filter) {
  if (calibration_.counts_per_gram == 0.0f) calibration_.counts_per_gram = 1.0f;
}

void ScaleDevice::send(Frame& frame) {
  frame.seq = seq_++;
  char line[kMaxLine + 3];
  size_t n = encode(frame, line, sizeof line);
  if (n > 0) out_.write_line(line, n);
}

void ScaleDevice::begin(uint32_t now_ms) {
  started_ms_ = last_report_ms_ = now_ms;
  Frame hello;
  hello.verb = Verb::Hello;
  hello.number = kProtocolVersion;
  set_word(hello.word, firmware_);
  set_word(hello.word2, board_);
  send(hello);
}

void ScaleDevice::on_sample(uint32_t now_ms, int32_t raw) {
  have_sample_ = true;
  last_sample_ms_ = now_ms;
  saturated_ = raw >= kHx711Max || raw <= kHx711Min;
  if (saturated_) return;
  filter_.add(static_cast<float>(raw - calibration_.offset) / calibration_.counts_per_gram);
}

bool ScaleDevice::sensor_ready(uint32_t now_ms) const {
  return have_sample_ && now_ms - last_sample_ms_ <= params_.not_ready_after_ms;
}

void ScaleDevice::tick(uint32_t now_ms) {
  uint32_t period = 1000u / params_.rate_hz;
  if (now_ms - last_report_ms_ < period) return;
  last_report_ms_ = now_ms;
  Frame report;
  if (!sensor_ready(now_ms)) {
    if (now_ms - started_ms_ < params_.not_ready_after_ms) return;  // still starting up
    report.verb = Verb::Error;
    set_word(report.word, "NOT_READY");
  } else if (saturated_ || std::fabs(filter_.value()) > params_.capacity_g) {
    report.verb = Verb::Error;
    set_word(report.word, "OVERLOAD");
  } else if (filter_.ready()) {
    report.verb = Verb::Weight;
    report.decigrams = static_cast<int32_t>(std::lround(filter_.value() * 10.0f));
    report.stable = filter_.stable();
  } else {
    return;
  }
  send(report);
}

void ScaleDevice::on_byte(uint32_t now_ms, char c) {
  switch (assembler_.feed(c)) {
    case LineAssembler::Event::Line:
      handle_line(now_ms, assembler_.line(), assembler_.length());
      break;
    case LineAssembler::Event::TooLong: {
      Frame error;
      error.verb = Verb::Error;
      set_word(error.word, "BAD_LINE");
      send(error);
      break;
    }
    case LineAssembler::Event::None:
      break;
  }
}

void ScaleDevice::handle_line(uint32_t now_ms, const char* line, size_t len) {
  Frame command;
  Frame reply;
  LineError error = parse_line(line, len, command);
  if (error == LineError::Empty) return;  // a bare line feed: the host clearing the line
  if (error == LineError::UnknownVerb || error == LineError::BadArgs) {
    reply.verb = Verb::Nak;
    reply.ref = command.seq;
    bool bad_args = error == LineError::BadArgs && is_command(command.verb);
    set_word(reply.word, bad_args ? "BAD_ARGS" : "UNKNOWN_COMMAND");
    send(reply);
    return;
  }
  if (error != LineError::None) {  // the seq cannot be trusted: no NAK, the host retries
    reply.verb = Verb::Error;
    set_word(reply.word, "BAD_LINE");
    send(reply);
    return;
  }
  if (!is_command(command.verb)) {
    reply.verb = Verb::Nak;
    reply.ref = command.seq;
    set_word(reply.word, "UNKNOWN_COMMAND");
    send(reply);
    return;
  }
  if (have_last_ && command.seq == last_command_seq_ && command.verb == last_command_verb_) {
    reply = last_reply_;  // a retry: answer again, do not tare twice
    send(reply);
    return;
  }
  run_command(now_ms, command, reply);
  have_last_ = true;
  last_command_seq_ = command.seq;
  last_command_verb_ = command.verb;
  last_reply_ = reply;
  send(reply);
}

void ScaleDevice::run_command(uint32_t now_ms, const Frame& command, Frame& reply) {
  reply.ref = command.seq;
  reply.verb = Verb::Ack;
  set_word(reply.word, verb_name(command.verb));
  auto nak = [&](const char* code) {
    reply.verb = Verb::Nak;
    set_word(reply.word, code);
  };
  switch (command.verb) {
    case Verb::Tare:
      if (!sensor_ready(now_ms) || !filter_.ready() || saturated_) return nak("NOT_READY");
      calibration_.offset += static_cast<int32_t>(std::lround(filter_.value() * calibration_.counts_per_gram));
      filter_.reset();
      calibration_changed_ = true;
      return;
    case Verb::Cal: {
      if (!sensor_ready(now_ms) || !filter_.ready() || saturated_) return nak("NOT_READY");
      float net_counts = filter_.value() * calibration_.counts_per_gram;
      if (std::fabs(net_counts) < params_.min_cal_counts) return nak("CAL_FAILED");
      calibration_.counts_per_gram = net_counts / (static_cast<float>(command.decigrams) / 10.0f);
      filter_.reset();
      calibration_changed_ = true;
      return;
    }
    case Verb::Rate:
      params_.rate_hz = command.number;
      return;
    case Verb::Info:
      std::snprintf(reply.pairs, sizeof reply.pairs, "proto=%d fw=%s rate=%u cap_g=%ld cpg=%.3f", kProtocolVersion,
                    firmware_, static_cast<unsigned>(params_.rate_hz), static_cast<long>(params_.capacity_g),
                    static_cast<double>(calibration_.counts_per_gram));
      return;
    default:
      return nak("UNKNOWN_COMMAND");
  }
}

bool ScaleDevice::take_calibration_changed() {
  bool changed = calibration_changed_;
  calibration_changed_ = false;
  return changed;
}

}  // namespace scale
