#include "lib/tls/keys.h"

#include <openssl/dsa.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#if TLSIM_HAS_PROVIDERS
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#endif

#include <map>
#include <mutex>
#include <tuple>
#include <utility>

#include "lib/tls/compat.h"
#include "lib/tls/seeded_random.h"

namespace tlsim::tls {
namespace {

#if TLSIM_HAS_PROVIDERS
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Free<EVP_PKEY_CTX_free>>;
using EncoderCtxPtr =
    std::unique_ptr<OSSL_ENCODER_CTX, Free<OSSL_ENCODER_CTX_free>>;
using DecoderCtxPtr =
    std::unique_ptr<OSSL_DECODER_CTX, Free<OSSL_DECODER_CTX_free>>;

// An RSA or RSA-PSS key of `bits`; a PSS key restricted to SHA-256 (as
// RFC 4055 parameters in its SubjectPublicKeyInfo) when `restricted`.
EvpPkeyPtr Rsa(LibCtx* libctx, const char* algorithm, int bits,
               bool restricted) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(libctx, algorithm, nullptr));
  EVP_PKEY* key = nullptr;
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1) {
    return nullptr;
  }
  if (restricted &&
      (EVP_PKEY_CTX_set_rsa_pss_keygen_md_name(ctx.get(), "SHA256", nullptr) !=
           1 ||
       EVP_PKEY_CTX_set_rsa_pss_keygen_mgf1_md_name(ctx.get(), "SHA256") != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_keygen_saltlen(ctx.get(), 32) != 1)) {
    return nullptr;
  }
  if (EVP_PKEY_keygen(ctx.get(), &key) != 1) return nullptr;
  return EvpPkeyPtr(key);
}

// DSA domain parameters (FIPS 186-4, 2048-bit p, 256-bit q), then a key.
EvpPkeyPtr Dsa(LibCtx* libctx) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(libctx, "DSA", nullptr));
  EVP_PKEY* params = nullptr;
  if (ctx == nullptr || EVP_PKEY_paramgen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_dsa_paramgen_bits(ctx.get(), 2048) != 1 ||
      EVP_PKEY_CTX_set_dsa_paramgen_q_bits(ctx.get(), 256) != 1 ||
      EVP_PKEY_paramgen(ctx.get(), &params) != 1) {
    return nullptr;
  }
  EvpPkeyPtr owned_params(params);
  EvpPkeyCtxPtr keygen(
      EVP_PKEY_CTX_new_from_pkey(libctx, owned_params.get(), nullptr));
  EVP_PKEY* key = nullptr;
  if (keygen == nullptr || EVP_PKEY_keygen_init(keygen.get()) != 1 ||
      EVP_PKEY_keygen(keygen.get(), &key) != 1) {
    return nullptr;
  }
  return EvpPkeyPtr(key);
}

EvpPkeyPtr Ec(LibCtx* libctx, const char* curve) {
  return EvpPkeyPtr(EVP_PKEY_Q_keygen(libctx, nullptr, "EC", curve));
}

EvpPkeyPtr Generate(LibCtx* libctx, KeyType type) {
  switch (type) {
    case KeyType::kEcP256:
      return Ec(libctx, "P-256");
    case KeyType::kEd25519:
      return EvpPkeyPtr(EVP_PKEY_Q_keygen(libctx, nullptr, "ED25519"));
    case KeyType::kRsa2048:
      // The variadic RSA argument must be a size_t. Kept as it always was:
      // the same draws from the seeded stream as before.
      return EvpPkeyPtr(
          EVP_PKEY_Q_keygen(libctx, nullptr, "RSA", static_cast<size_t>(2048)));
    case KeyType::kRsa3072:
      return Rsa(libctx, "RSA", 3072, false);
    case KeyType::kRsa4096:
      return Rsa(libctx, "RSA", 4096, false);
    case KeyType::kRsaPss:
      return Rsa(libctx, "RSA-PSS", 2048, false);
    case KeyType::kRsaPssSha256:
      return Rsa(libctx, "RSA-PSS", 2048, true);
    case KeyType::kEd448:
      return EvpPkeyPtr(EVP_PKEY_Q_keygen(libctx, nullptr, "ED448"));
    case KeyType::kEcP384:
      return Ec(libctx, "P-384");
    case KeyType::kEcP521:
      return Ec(libctx, "P-521");
    case KeyType::kBrainpoolP256r1:
      return Ec(libctx, "brainpoolP256r1");
    case KeyType::kBrainpoolP384r1:
      return Ec(libctx, "brainpoolP384r1");
    case KeyType::kBrainpoolP512r1:
      return Ec(libctx, "brainpoolP512r1");
    case KeyType::kDsa2048:
      return Dsa(libctx);
  }
  return nullptr;
}

// PKCS#8 PrivateKeyInfo DER: keeps RSA-PSS restrictions and DSA parameters.
bool Encode(EVP_PKEY* key, std::string* out) {
  EncoderCtxPtr ctx(OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_KEYPAIR, "DER",
                                                  "PrivateKeyInfo", nullptr));
  unsigned char* data = nullptr;
  size_t length = 0;
  if (ctx == nullptr || OSSL_ENCODER_CTX_get_num_encoders(ctx.get()) == 0 ||
      OSSL_ENCODER_to_data(ctx.get(), &data, &length) != 1) {
    return false;
  }
  out->assign(reinterpret_cast<const char*>(data), length);
  OPENSSL_clear_free(data, length);
  return true;
}

EvpPkeyPtr Decode(LibCtx* libctx, const std::string& der) {
  EVP_PKEY* key = nullptr;
  DecoderCtxPtr ctx(OSSL_DECODER_CTX_new_for_pkey(&key, "DER", "PrivateKeyInfo",
                                                  nullptr, EVP_PKEY_KEYPAIR,
                                                  libctx, nullptr));
  const auto* data = reinterpret_cast<const unsigned char*>(der.data());
  size_t length = der.size();
  if (ctx == nullptr ||
      OSSL_DECODER_from_data(ctx.get(), &data, &length) != 1) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return EvpPkeyPtr(key);
}

#else
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Free<EVP_PKEY_CTX_free>>;
using Pkcs8Ptr =
    std::unique_ptr<PKCS8_PRIV_KEY_INFO, Free<PKCS8_PRIV_KEY_INFO_free>>;

// OpenSSL 1.1.1: no library contexts (random bytes come through the
// RAND_METHOD, seeded_random.h), keys by NID through EVP_PKEY_CTX_new_id.

// A key of algorithm `nid` with keygen settings `set`, which returns false
// when OpenSSL refuses one.
template <typename Settings>
EvpPkeyPtr Keygen(int nid, Settings set) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(nid, nullptr));
  EVP_PKEY* key = nullptr;
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      !set(ctx.get()) || EVP_PKEY_keygen(ctx.get(), &key) != 1) {
    return nullptr;
  }
  return EvpPkeyPtr(key);
}

// An RSA or RSA-PSS key of `bits`; a PSS key restricted to SHA-256 (as
// RFC 4055 parameters in its SubjectPublicKeyInfo) when `restricted`.
EvpPkeyPtr Rsa(int nid, int bits, bool restricted) {
  return Keygen(nid, [&](EVP_PKEY_CTX* ctx) {
    return EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) == 1 &&
           (!restricted ||
            (EVP_PKEY_CTX_set_rsa_pss_keygen_md(ctx, EVP_sha256()) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_keygen_mgf1_md(ctx, EVP_sha256()) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_keygen_saltlen(ctx, 32) == 1));
  });
}

// An EC key on the named curve, written with the curve's name (not its
// parameters), as 3.x does.
EvpPkeyPtr Ec(int curve) {
  return Keygen(EVP_PKEY_EC, [&](EVP_PKEY_CTX* ctx) {
    return EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, curve) == 1 &&
           EVP_PKEY_CTX_set_ec_param_enc(ctx, OPENSSL_EC_NAMED_CURVE) == 1;
  });
}

// DSA domain parameters (FIPS 186-4, 2048-bit p, 256-bit q), then a key.
EvpPkeyPtr Dsa() {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_DSA, nullptr));
  EVP_PKEY* params = nullptr;
  if (ctx == nullptr || EVP_PKEY_paramgen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_dsa_paramgen_bits(ctx.get(), 2048) != 1 ||
      EVP_PKEY_CTX_set_dsa_paramgen_q_bits(ctx.get(), 256) != 1 ||
      EVP_PKEY_paramgen(ctx.get(), &params) != 1) {
    return nullptr;
  }
  EvpPkeyPtr owned_params(params);
  EvpPkeyCtxPtr keygen(EVP_PKEY_CTX_new(owned_params.get(), nullptr));
  EVP_PKEY* key = nullptr;
  if (keygen == nullptr || EVP_PKEY_keygen_init(keygen.get()) != 1 ||
      EVP_PKEY_keygen(keygen.get(), &key) != 1) {
    return nullptr;
  }
  return EvpPkeyPtr(key);
}

EvpPkeyPtr Generate(LibCtx* /*libctx*/, KeyType type) {
  const auto none = [](EVP_PKEY_CTX*) { return true; };
  switch (type) {
    case KeyType::kEcP256:
      return Ec(NID_X9_62_prime256v1);
    case KeyType::kEd25519:
      return Keygen(EVP_PKEY_ED25519, none);
    case KeyType::kRsa2048:
      return Rsa(EVP_PKEY_RSA, 2048, false);
    case KeyType::kRsa3072:
      return Rsa(EVP_PKEY_RSA, 3072, false);
    case KeyType::kRsa4096:
      return Rsa(EVP_PKEY_RSA, 4096, false);
    case KeyType::kRsaPss:
      return Rsa(EVP_PKEY_RSA_PSS, 2048, false);
    case KeyType::kRsaPssSha256:
      return Rsa(EVP_PKEY_RSA_PSS, 2048, true);
    case KeyType::kEd448:
      return Keygen(EVP_PKEY_ED448, none);
    case KeyType::kEcP384:
      return Ec(NID_secp384r1);
    case KeyType::kEcP521:
      return Ec(NID_secp521r1);
    case KeyType::kBrainpoolP256r1:
      return Ec(NID_brainpoolP256r1);
    case KeyType::kBrainpoolP384r1:
      return Ec(NID_brainpoolP384r1);
    case KeyType::kBrainpoolP512r1:
      return Ec(NID_brainpoolP512r1);
    case KeyType::kDsa2048:
      return Dsa();
  }
  return nullptr;
}

// PKCS#8 PrivateKeyInfo DER: keeps RSA-PSS restrictions and DSA parameters.
bool Encode(EVP_PKEY* key, std::string* out) {
  Pkcs8Ptr info(EVP_PKEY2PKCS8(key));
  unsigned char* data = nullptr;
  const int length = info ? i2d_PKCS8_PRIV_KEY_INFO(info.get(), &data) : -1;
  if (length <= 0) return false;
  out->assign(reinterpret_cast<const char*>(data), static_cast<size_t>(length));
  OPENSSL_clear_free(data, static_cast<size_t>(length));
  return true;
}

EvpPkeyPtr Decode(LibCtx* /*libctx*/, const std::string& der) {
  const auto* data = reinterpret_cast<const unsigned char*>(der.data());
  Pkcs8Ptr info(
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &data, static_cast<long>(der.size())));
  return EvpPkeyPtr(info ? EVP_PKCS82PKEY(info.get()) : nullptr);
}

#endif  // TLSIM_HAS_PROVIDERS

// What determines a seeded key: the seed, the type and where the stream
// stood when it was asked for.
struct CacheKey {
  uint64_t seed = 0;
  KeyType type = KeyType::kEcP256;
  RandomPosition before;
  bool operator<(const CacheKey& o) const {
    return std::tie(seed, type, before) < std::tie(o.seed, o.type, o.before);
  }
};

struct CacheEntry {
  std::string der;
  RandomPosition after;  // where generating left the stream
};

// Above this many keys the cache starts again empty: a process that runs
// many seeds keeps its memory bounded.
constexpr size_t kMaxEntries = 4096;

struct Cache {
  std::mutex mutex;
  std::map<CacheKey, CacheEntry> entries;
  KeyCacheStats stats;
};

Cache& TheCache() {
  static Cache* cache = new Cache;  // never destroyed: used until exit
  return *cache;
}

bool Fail(const std::string& message, std::string* out_error) {
  unsigned long code = ERR_get_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  *out_error = message;
  if (reason != nullptr) *out_error += std::string(": ") + reason;
  return false;
}

}  // namespace

bool MakeKey(LibCtx* libctx, KeyType type, std::optional<uint64_t> seed,
             EvpPkeyPtr* out_key, std::string* out_error) {
  // 1.1.1 draws through the RAND_METHOD, which reads this scope.
  LibraryScope scope(libctx);
  Cache& cache = TheCache();
  CacheKey key;
  bool cacheable = seed.has_value() && GetRandomPosition(libctx, &key.before);
  if (cacheable) {
    key.seed = *seed;
    key.type = type;
    std::lock_guard<std::mutex> lock(cache.mutex);
    auto it = cache.entries.find(key);
    if (it != cache.entries.end()) {
      EvpPkeyPtr copy = Decode(libctx, it->second.der);
      if (copy == nullptr) return Fail("cannot read a cached key", out_error);
      if (!AdvanceRandom(libctx, it->second.after)) {
        return Fail("cannot move the random stream past a cached key",
                    out_error);
      }
      ++cache.stats.reused;
      *out_key = std::move(copy);
      return true;
    }
  }
  EvpPkeyPtr made = Generate(libctx, type);
  if (made == nullptr)
    return Fail("OpenSSL failed to generate the key", out_error);
  CacheEntry entry;
  std::lock_guard<std::mutex> lock(cache.mutex);
  ++cache.stats.generated;
  // A key whose generation reseeded a generator cannot be replayed by
  // drawing bytes: it is not kept.
  if (cacheable && GetRandomPosition(libctx, &entry.after) &&
      entry.after.rekeys == key.before.rekeys &&
      Encode(made.get(), &entry.der)) {
    if (cache.entries.size() >= kMaxEntries) cache.entries.clear();
    cache.entries.emplace(key, std::move(entry));
  }
  ERR_clear_error();
  *out_key = std::move(made);
  return true;
}

KeyCacheStats GetKeyCacheStats() {
  Cache& cache = TheCache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  return cache.stats;
}

}  // namespace tlsim::tls
