// The hardware layer of the shelf-scale firmware: everything board-specific
// sits here (HX711 pins, serial port, calibration storage), so the protocol
// and filtering in lib/scale_core stay portable and host-tested.
#include <Arduino.h>
#include <HX711.h>

#if defined(ARDUINO_ARCH_ESP32)
#include <Preferences.h>
#else
#include <EEPROM.h>
#endif

#include "scale_device.h"

#ifndef SCALE_FIRMWARE_VERSION
#define SCALE_FIRMWARE_VERSION "1.0.0"
#endif
#ifndef SCALE_BOARD
#define SCALE_BOARD "arduino-hx711"
#endif
#ifndef PIN_HX711_DOUT
#define PIN_HX711_DOUT 16
#endif
#ifndef PIN_HX711_SCK
#define PIN_HX711_SCK 4
#endif

namespace {

constexpr uint32_t kBaud = 115200;
constexpr uint32_t kCalibrationMagic = 0x43505331;  // "CPS1": a stored calibration, not blank flash

struct StoredCalibration {
  uint32_t magic;
  int32_t offset;
  float counts_per_gram;
};

class SerialSink : public scale::LineSink {
 public:
  void write_line(const char* data, size_t len) override {
    // Never block the loop on a host that does not read: drop what does not fit.
    if (static_cast<size_t>(Serial.availableForWrite()) >= len) Serial.write(reinterpret_cast<const uint8_t*>(data), len);
  }
};

scale::Calibration load_calibration() {
  StoredCalibration stored{};
#if defined(ARDUINO_ARCH_ESP32)
  Preferences prefs;
  prefs.begin("scale", true);
  prefs.getBytes("cal", &stored, sizeof stored);
  prefs.end();
#else
  EEPROM.begin(sizeof stored);
  EEPROM.get(0, stored);
#endif
  scale::Calibration cal;
  if (stored.magic == kCalibrationMagic && stored.counts_per_gram != 0.0f) {
    cal.offset = stored.offset;
    cal.counts_per_gram = stored.counts_per_gram;
  }
  return cal;
}

void save_calibration(const scale::Calibration& cal) {
  StoredCalibration stored{kCalibrationMagic, cal.offset, cal.counts_per_gram};
#if defined(ARDUINO_ARCH_ESP32)
  Preferences prefs;
  prefs.begin("scale", false);
  prefs.putBytes("cal", &stored, sizeof stored);
  prefs.end();
#else
  EEPROM.put(0, stored);
  EEPROM.commit();
#endif
}

HX711 hx711;
SerialSink sink;
scale::ScaleDevice* device = nullptr;

}  // namespace

void setup() {
  Serial.begin(kBaud);
  hx711.begin(PIN_HX711_DOUT, PIN_HX711_SCK);  // channel A, gain 128; 10 samples/s with RATE pin low
  static scale::ScaleDevice the_device(sink, SCALE_FIRMWARE_VERSION, SCALE_BOARD, scale::DeviceParams(),
                                       load_calibration());
  device = &the_device;
  device->begin(millis());
}

void loop() {
  uint32_t now = millis();
  while (Serial.available() > 0) device->on_byte(now, static_cast<char>(Serial.read()));
  if (hx711.is_ready()) device->on_sample(now, static_cast<int32_t>(hx711.read()));
  device->tick(now);
  if (device->take_calibration_changed()) save_calibration(device->calibration());
  delay(1);
}
