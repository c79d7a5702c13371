// Host test runner: g++ only, no test framework to install.
#include <cstdio>

#include "check.h"

void test_vectors(const char* path);
void test_seq_survives_bad_args();
void test_assembler_recovers_after_long_line();
void test_line_of_exactly_max_length();
void test_filter_settles_and_flags_stable();
void test_filter_rejects_a_spike();
void test_filter_moving_while_weight_changes();
void test_filter_reset();
void test_device_greets_then_reports_weight();
void test_device_tare_zeroes_the_shelf();
void test_device_retry_is_answered_without_running_twice();
void test_device_calibration();
void test_device_calibration_refused_without_load();
void test_device_rate_and_info();
void test_device_refuses_bad_commands();
void test_device_not_ready_and_overload();
void test_device_answers_every_vector(const char* path);

int main(int argc, char** argv) {
  const char* vectors = argc > 1 ? argv[1] : "protocol-vectors.tsv";
  test_vectors(vectors);
  test_seq_survives_bad_args();
  test_assembler_recovers_after_long_line();
  test_line_of_exactly_max_length();
  test_filter_settles_and_flags_stable();
  test_filter_rejects_a_spike();
  test_filter_moving_while_weight_changes();
  test_filter_reset();
  test_device_greets_then_reports_weight();
  test_device_tare_zeroes_the_shelf();
  test_device_retry_is_answered_without_running_twice();
  test_device_calibration();
  test_device_calibration_refused_without_load();
  test_device_rate_and_info();
  test_device_refuses_bad_commands();
  test_device_not_ready_and_overload();
  test_device_answers_every_vector(vectors);
  std::printf("host tests: %d checks passed, %d failed\n", check::passes(), check::failures());
  return check::failures() == 0 ? 0 : 1;
}
