// The scale's behaviour, independent of the board: it takes load-cell
// readings and bytes from the host, and writes protocol lines. The Arduino
// layer (src/main.cpp) only feeds it HX711 readings, serial bytes and the
// time, and persists the calibration it reports.
#pragma once

#include <cstddef>
#include <cstdint>

#include "protocol.h"
#include "weight_filter.h"

namespace scale {

struct DeviceParams {
  uint16_t rate_hz = 10;              // weight reports per second (RATE changes it; 1..80)
  float capacity_g = 20000.0f;        // above this net weight: ERROR OVERLOAD
  uint32_t not_ready_after_ms = 500;  // no reading for this long: ERROR NOT_READY
  float min_cal_counts = 100.0f;      // CAL refused (CAL_FAILED) under this net signal
  FilterParams filter;
};

// raw = offset + counts_per_gram * grams
struct Calibration {
  int32_t offset = 0;
  float counts_per_gram = 1.0f;
};

class LineSink {
 public:
  virtual ~LineSink() = default;
  virtual void write_line(const char* data, size_t len) = 0;
};

class ScaleDevice {
 public:
  ScaleDevice(LineSink& out, const char* firmware, const char* board, const DeviceParams& params = DeviceParams(),
              const Calibration& calibration = Calibration());

  void begin(uint32_t now_ms);                                     // sends HELLO
  void on_sample(uint32_t now_ms, int32_t raw);                    // one HX711 conversion
  void on_byte(uint32_t now_ms, char c);                           // one byte from the host
  void tick(uint32_t now_ms);                                      // call often: reports when due

  const Calibration& calibration() const { return calibration_; }
  bool take_calibration_changed();  // true once after a TARE or CAL, so the board can persist it
  uint16_t rate_hz() const { return params_.rate_hz; }
  float grams() const { return filter_.value(); }

 private:
  void send(Frame& frame);
  void handle_line(uint32_t now_ms, const char* line, size_t len);
  void run_command(uint32_t now_ms, const Frame& command, Frame& reply);
  bool sensor_ready(uint32_t now_ms) const;

  LineSink& out_;
  const char* firmware_;
  const char* board_;
  DeviceParams params_;
  Calibration calibration_;
  WeightFilter filter_;
  LineAssembler assembler_;
  uint16_t seq_ = 0;
  bool have_sample_ = false;
  bool saturated_ = false;
  uint32_t last_sample_ms_ = 0;
  uint32_t last_report_ms_ = 0;
  uint32_t started_ms_ = 0;
  bool calibration_changed_ = false;
  // The last command run and its reply: a retry of the same seq is answered
  // again without running the command twice.
  bool have_last_ = false;
  uint16_t last_command_seq_ = 0;
  Verb last_command_verb_ = Verb::Info;
  Frame last_reply_;
};

}  // namespace scale
