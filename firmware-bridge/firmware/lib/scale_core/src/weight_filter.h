// Turns noisy load-cell readings (already in grams) into a steady weight and
// a stable flag. Portable: no Arduino header, no heap.
#pragma once

#include <cstdint>

namespace scale {

constexpr uint8_t kMaxFilterLen = 32;

struct FilterParams {
  // Median over this many raw readings first (odd, 1..7): one bad
  // conversion (a spike) never reaches the average.
  uint8_t median_len = 3;
  // Then a moving average over this many medians (1..32): at the HX711's
  // 10 samples/s, 8 smooths over 0.8 s.
  uint8_t average_len = 8;
  // Stable when the last stable_len averages (1..32) all lie within
  // stable_band_g grams of each other: nobody is touching the shelf.
  uint8_t stable_len = 10;
  float stable_band_g = 2.0f;
};

class WeightFilter {
 public:
  explicit WeightFilter(const FilterParams& params = FilterParams());
  void add(float grams);
  void reset();
  bool ready() const { return average_count_ > 0; }
  float value() const { return value_; }
  bool stable() const;
  const FilterParams& params() const { return params_; }

 private:
  FilterParams params_;
  float raw_[kMaxFilterLen] = {};
  float averages_in_[kMaxFilterLen] = {};
  float history_[kMaxFilterLen] = {};
  uint8_t raw_count_ = 0, raw_next_ = 0;
  uint8_t average_count_ = 0, average_next_ = 0;
  uint8_t history_count_ = 0, history_next_ = 0;
  float value_ = 0.0f;
};

}  // namespace scale
