// The weight filter: spikes rejected, settles on the true weight, stable flag.
#include <cmath>

#include "check.h"
#include "weight_filter.h"

using namespace scale;

void test_filter_settles_and_flags_stable() {
  WeightFilter filter;
  CHECK(!filter.ready());
  for (int i = 0; i < 30; ++i) filter.add(500.0f + ((i % 2) ? 0.6f : -0.6f));
  CHECK(filter.ready());
  CHECK(std::fabs(filter.value() - 500.0f) < 0.5f);
  CHECK(filter.stable());
}

void test_filter_rejects_a_spike() {
  WeightFilter filter;
  for (int i = 0; i < 30; ++i) filter.add(250.0f);
  filter.add(9000.0f);  // one bad conversion
  CHECK(std::fabs(filter.value() - 250.0f) < 0.01f);
  CHECK(filter.stable());
}

void test_filter_moving_while_weight_changes() {
  WeightFilter filter;
  for (int i = 0; i < 30; ++i) filter.add(1000.0f);
  CHECK(filter.stable());
  for (int i = 0; i < 3; ++i) filter.add(750.0f);  // an item taken
  CHECK(!filter.stable());
  for (int i = 0; i < 30; ++i) filter.add(750.0f);
  CHECK(filter.stable());
  CHECK(std::fabs(filter.value() - 750.0f) < 0.01f);
}

void test_filter_reset() {
  WeightFilter filter;
  for (int i = 0; i < 30; ++i) filter.add(10.0f);
  filter.reset();
  CHECK(!filter.ready());
  CHECK(!filter.stable());
}
