// The TLS secrets of a run as an NSS key log (SSLKEYLOGFILE format), so a
// capture of the run can be decrypted: `tshark -o tls.keylog_file:keys`.
//
//   trace::KeyLog keys;
//   SSL_CTX_set_keylog_callback(ctx, Callback);  // calls keys.Add(line)
//   std::string error;
//   if (!keys.WriteFile("run.keys", &error)) ...
#pragma once

#include <string>
#include <vector>

namespace tlsim::trace {

class KeyLog {
 public:
  // Adds one line as OpenSSL's keylog callback gives it, without newline:
  // "CLIENT_HANDSHAKE_TRAFFIC_SECRET <client_random> <secret>".
  void Add(std::string line);

  // Writes every line, each ending in '\n', to `path.tmp`, then renames it
  // to `path`: the file appears whole or not at all. Returns false with a
  // message naming the file on failure.
  [[nodiscard]] bool WriteFile(const std::string& path,
                               std::string* out_error) const;

 private:
  std::vector<std::string> lines_;
};

}  // namespace tlsim::trace
