#include "weight_filter.h"

namespace scale {

namespace {

uint8_t clamp_len(uint8_t n) { return n == 0 ? 1 : (n > kMaxFilterLen ? kMaxFilterLen : n); }

void push(float* ring, uint8_t len, uint8_t& count, uint8_t& next, float v) {
  ring[next] = v;
  next = static_cast<uint8_t>((next + 1) % len);
  if (count < len) ++count;
}

}  // namespace

WeightFilter::WeightFilter(const FilterParams& params) : params_(params) {
  params_.median_len = clamp_len(params_.median_len);
  if (params_.median_len > 7) params_.median_len = 7;
  params_.average_len = clamp_len(params_.average_len);
  params_.stable_len = clamp_len(params_.stable_len);
}

void WeightFilter::reset() {
  raw_count_ = raw_next_ = average_count_ = average_next_ = history_count_ = history_next_ = 0;
  value_ = 0.0f;
}

void WeightFilter::add(float grams) {
  push(raw_, params_.median_len, raw_count_, raw_next_, grams);
  // Median of what the window holds (insertion sort of at most 7 values).
  float sorted[7];
  for (uint8_t i = 0; i < raw_count_; ++i) {
    float v = raw_[i];
    int j = i - 1;
    while (j >= 0 && sorted[j] > v) {
      sorted[j + 1] = sorted[j];
      --j;
    }
    sorted[j + 1] = v;
  }
  float median = (raw_count_ % 2) ? sorted[raw_count_ / 2] : (sorted[raw_count_ / 2 - 1] + sorted[raw_count_ / 2]) / 2;

  push(averages_in_, params_.average_len, average_count_, average_next_, median);
  float sum = 0.0f;
  for (uint8_t i = 0; i < average_count_; ++i) sum += averages_in_[i];
  value_ = sum / average_count_;
  push(history_, params_.stable_len, history_count_, history_next_, value_);
}

bool WeightFilter::stable() const {
  if (history_count_ < params_.stable_len) return false;
  float lo = history_[0], hi = history_[0];
  for (uint8_t i = 1; i < history_count_; ++i) {
    if (history_[i] < lo) lo = history_[i];
    if (history_[i] > hi) hi = history_[i];
  }
  return hi - lo <= params_.stable_band_g;
}

}  // namespace scale
