// The shared protocol test vectors (protocol-vectors.tsv), as the host tests read them.
#pragma once

#include <string>
#include <vector>

struct Vector {
  std::string expect;   // "ok", "crc" or an error kind
  std::string line;     // the bytes, unescaped
  std::string escaped;  // as written in the file, for messages
  std::string meaning;
};

std::vector<Vector> load_vectors(const char* path);
