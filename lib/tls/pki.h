// An in-process PKI: CAs and leaves generated from a small description, in
// the order given, inside one run's library (library.h). No key or certificate
// ever touches the disk.
//
//   std::vector<tls::CertSpec> specs = {
//       {.name = "root", .is_ca = true},
//       {.name = "server.test", .issuer = "root"}};
//   tls::Pki pki;
//   std::string error;
//   if (!pki.Build(libctx, specs, &error)) ...
//   const tls::Issued* leaf = pki.Find("server.test");
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/tls/handles.h"
#include "lib/tls/keys.h"
#include "lib/tls/library.h"

namespace tlsim::tls {

struct CertSpec {
  std::string name;    // subject CN; also the lookup name
  bool is_ca = false;  // basicConstraints CA:TRUE, keyCertSign
  std::string issuer;  // empty: self-signed (only for a CA)
  KeyType key = KeyType::kEcP256;
  std::vector<std::string> dns;  // subjectAltName DNS; empty: {name} for leaves
  int64_t not_before = 0;        // Unix seconds, UTC
  int64_t not_after = 0;
  bool no_san = false;  // a leaf without subjectAltName (the CN names it)
  // EC keys: the public point written compressed in the certificate.
  bool compressed_point = false;
  // CAs: a critical nameConstraints extension with these DNS subtrees.
  std::vector<std::string> permitted_dns;
  std::vector<std::string> excluded_dns;
};

struct Issued {
  std::string name;
  std::string issuer;  // empty for a root
  bool is_ca = false;
  EvpPkeyPtr key;
  X509Ptr cert;
};

class Pki {
 public:
  // Generates every spec in order; an issuer must come before what it signs.
  // Returns false with a message naming the spec on failure. Serial numbers
  // are 1, 2, 3, ... in spec order. `seed`: the seed libctx was given to
  // UseSeededRandom, if any; keys are then reused within the process
  // (MakeKey, keys.h).
  [[nodiscard]] bool Build(LibCtx* libctx, const std::vector<CertSpec>& specs,
                           std::string* out_error,
                           std::optional<uint64_t> seed = std::nullopt);

  // nullptr when no certificate has that name.
  const Issued* Find(const std::string& name) const;

  // The certificates between `leaf_name` and its root, nearest first,
  // excluding both ends: what a server sends as its chain.
  std::vector<X509*> Intermediates(const std::string& leaf_name) const;

 private:
  std::map<std::string, Issued> issued_;
};

}  // namespace tlsim::tls
