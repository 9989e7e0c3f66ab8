#include "lib/tls/seeded_random.h"

// OpenSSL 3.x: a provider of the run's library context. 1.1.1:
// seeded_random_rand_method.cc.
#if TLSIM_HAS_PROVIDERS

#include <openssl/bio.h>
#include <openssl/conf.h>
#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <new>
#include <span>

#include "lib/tls/handles.h"

namespace tlsim::tls {
namespace {

using ConfPtr = std::unique_ptr<CONF, Free<NCONF_free>>;
using EvpMdPtr = std::unique_ptr<EVP_MD, Free<EVP_MD_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, Free<EVP_MD_CTX_free>>;
using Bytes = std::span<const unsigned char>;

constexpr char kProviderName[] = "tlsim-seeded";
constexpr char kAlgorithmName[] = "TLSIM-SEEDED";
constexpr char kProperties[] = "provider=tlsim-seeded";
constexpr char kSeedParameter[] = "seed";
// A generator's position (RandomPosition), read with EVP_RAND_CTX_get_params.
constexpr char kDrawnParameter[] = "tlsim-drawn";
constexpr char kRekeysParameter[] = "tlsim-rekeys";
// Activates "default", and kProviderName with kSeedParameter (the seed's
// decimal digits follow).
constexpr char kConfigBeforeSeed[] =
    "tlsim_conf = tlsim_init\n"
    "[tlsim_init]\n"
    "providers = tlsim_providers\n"
    "[tlsim_providers]\n"
    "default = tlsim_default\n"
    "tlsim_seeded = tlsim_seeded\n"
    "[tlsim_default]\n"
    "activate = 1\n"
    "[tlsim_seeded]\n"
    "activate = 1\n"
    "identity = tlsim-seeded\n"
    "seed = ";
constexpr char kDomain[] = "tlsim-seeded/1";
constexpr unsigned int kStrength = 256;
constexpr size_t kMaxRequest = size_t{1} << 16;
constexpr size_t kBlockSize = 32;  // SHA-256

// The provider context: one per library context the provider is loaded in.
struct Provider {
  explicit Provider(uint64_t s) : seed(s) {}
  const uint64_t seed;
  std::atomic<uint64_t> next_label{0};
};

// One generator instance: the seed source, the primary, public or private
// DRBG, or one made with EVP_RAND_CTX_new.
struct Generator {
  Provider* provider = nullptr;
  uint64_t label = 0;  // creation index within the provider
  int state = EVP_RAND_STATE_UNINITIALISED;
  unsigned char key[kBlockSize] = {};
  uint64_t next_block = 0;
  unsigned char block[kBlockSize] = {};
  size_t block_used = kBlockSize;  // bytes of `block` already handed out
  CRYPTO_RWLOCK* lock = nullptr;   // only once locking is enabled
  uint64_t drawn = 0;              // bytes handed out since the last (re)key
  uint64_t rekeys = 0;  // instantiations and reseeds that changed the key
};

std::array<unsigned char, 8> BigEndian(uint64_t value) {
  std::array<unsigned char, 8> out;
  for (int i = 7; i >= 0; --i, value >>= 8) {
    out[i] = static_cast<unsigned char>(value & 0xff);
  }
  return out;
}

// SHA-256 from the process-wide library context, never from the seeded one.
class Sha256 {
 public:
  Sha256()
      : md_(EVP_MD_fetch(nullptr, "SHA2-256", nullptr)),
        ctx_(EVP_MD_CTX_new()) {}

  // Hashes the concatenation of `parts` into `out`. Returns false on failure.
  bool Digest(std::initializer_list<Bytes> parts,
              unsigned char out[kBlockSize]) {
    if (!md_ || !ctx_ ||
        EVP_DigestInit_ex2(ctx_.get(), md_.get(), nullptr) != 1)
      return false;
    for (Bytes part : parts) {
      if (EVP_DigestUpdate(ctx_.get(), part.data(), part.size()) != 1) {
        return false;
      }
    }
    unsigned int length = 0;
    return EVP_DigestFinal_ex(ctx_.get(), out, &length) == 1 &&
           length == kBlockSize;
  }

 private:
  EvpMdPtr md_;
  EvpMdCtxPtr ctx_;
};

// Restarts g's stream at block 0 under `key`.
void Rekey(Generator* g, const unsigned char key[kBlockSize]) {
  std::memcpy(g->key, key, kBlockSize);
  g->next_block = 0;
  g->drawn = 0;
  ++g->rekeys;
  OPENSSL_cleanse(g->block, kBlockSize);
  g->block_used = kBlockSize;
}

// Copies the next `length` bytes of g's stream to `out`. Returns false if
// hashing fails.
bool Fill(Generator* g, unsigned char* out, size_t length) {
  Sha256 sha;
  while (length > 0) {
    if (g->block_used == kBlockSize) {
      if (!sha.Digest({g->key, BigEndian(g->next_block)}, g->block)) {
        return false;
      }
      ++g->next_block;
      g->block_used = 0;
    }
    const size_t n = std::min(length, kBlockSize - g->block_used);
    std::memcpy(out, g->block + g->block_used, n);
    g->block_used += n;
    g->drawn += n;
    out += n;
    length -= n;
  }
  return true;
}

// --- OSSL_OP_RAND implementation ---------------------------------------

void* NewCtx(void* provctx, void* /*parent*/,
             const OSSL_DISPATCH* /*parent_calls*/) {
  auto* provider = static_cast<Provider*>(provctx);
  auto* g = new (std::nothrow) Generator;
  if (g == nullptr) return nullptr;
  g->provider = provider;
  g->label = provider->next_label.fetch_add(1);
  return g;
}

int Uninstantiate(void* vctx) {
  auto* g = static_cast<Generator*>(vctx);
  OPENSSL_cleanse(g->key, kBlockSize);
  OPENSSL_cleanse(g->block, kBlockSize);
  g->next_block = 0;
  g->block_used = kBlockSize;
  g->state = EVP_RAND_STATE_UNINITIALISED;
  return 1;
}

void FreeCtx(void* vctx) {
  if (vctx == nullptr) return;
  auto* g = static_cast<Generator*>(vctx);
  Uninstantiate(g);
  CRYPTO_THREAD_lock_free(g->lock);
  delete g;
}

// Starts the instance's stream from the seed, its label and the
// personalisation string; `params` (cipher, digest, reseed intervals meant
// for OpenSSL's DRBGs) do not apply.
int Instantiate(void* vctx, unsigned int strength,
                int /*prediction_resistance*/, const unsigned char* pstr,
                size_t pstr_len, const OSSL_PARAM /*params*/[]) {
  auto* g = static_cast<Generator*>(vctx);
  if (strength > kStrength) return 0;
  unsigned char key[kBlockSize];
  Sha256 sha;
  if (!sha.Digest({Bytes(reinterpret_cast<const unsigned char*>(kDomain),
                         sizeof kDomain - 1),
                   BigEndian(g->provider->seed), BigEndian(g->label),
                   BigEndian(pstr_len), Bytes(pstr, pstr_len)},
                  key)) {
    return 0;
  }
  Rekey(g, key);
  OPENSSL_cleanse(key, kBlockSize);
  g->state = EVP_RAND_STATE_READY;
  return 1;
}

int Generate(void* vctx, unsigned char* out, size_t outlen,
             unsigned int strength, int /*prediction_resistance*/,
             const unsigned char* /*addin*/, size_t /*addin_len*/) {
  auto* g = static_cast<Generator*>(vctx);
  if (g->state != EVP_RAND_STATE_READY || strength > kStrength ||
      outlen > kMaxRequest) {
    return 0;
  }
  return Fill(g, out, outlen) ? 1 : 0;
}

// Folds caller-supplied entropy and additional input into the key; with
// neither, the stream goes on unchanged.
int Reseed(void* vctx, int /*prediction_resistance*/, const unsigned char* ent,
           size_t ent_len, const unsigned char* addin, size_t addin_len) {
  auto* g = static_cast<Generator*>(vctx);
  if (g->state != EVP_RAND_STATE_READY) return 0;
  if (ent_len == 0 && addin_len == 0) return 1;
  unsigned char key[kBlockSize];
  Sha256 sha;
  if (!sha.Digest({g->key, BigEndian(ent_len), Bytes(ent, ent_len),
                   BigEndian(addin_len), Bytes(addin, addin_len)},
                  key)) {
    return 0;
  }
  Rekey(g, key);
  OPENSSL_cleanse(key, kBlockSize);
  return 1;
}

// Seed material for an OpenSSL DRBG that has this one as its parent.
size_t GetSeed(void* vctx, unsigned char** pout, int entropy, size_t min_len,
               size_t max_len, int /*prediction_resistance*/,
               const unsigned char* /*adin*/, size_t /*adin_len*/) {
  auto* g = static_cast<Generator*>(vctx);
  const size_t wanted =
      entropy > 0 ? (static_cast<size_t>(entropy) + 7) / 8 : 0;
  const size_t length = std::max(min_len, wanted);
  if (g->state != EVP_RAND_STATE_READY || length == 0 || length > max_len) {
    return 0;
  }
  auto* buffer = static_cast<unsigned char*>(OPENSSL_secure_malloc(length));
  if (buffer == nullptr) return 0;
  if (!Fill(g, buffer, length)) {
    OPENSSL_secure_clear_free(buffer, length);
    return 0;
  }
  *pout = buffer;
  return length;
}

void ClearSeed(void* /*vctx*/, unsigned char* buffer, size_t length) {
  OPENSSL_secure_clear_free(buffer, length);
}

int EnableLocking(void* vctx) {
  auto* g = static_cast<Generator*>(vctx);
  if (g->lock == nullptr) g->lock = CRYPTO_THREAD_lock_new();
  return g->lock != nullptr ? 1 : 0;
}

int Lock(void* vctx) {
  auto* g = static_cast<Generator*>(vctx);
  return g->lock == nullptr || CRYPTO_THREAD_write_lock(g->lock) == 1 ? 1 : 0;
}

void Unlock(void* vctx) {
  auto* g = static_cast<Generator*>(vctx);
  if (g->lock != nullptr) CRYPTO_THREAD_unlock(g->lock);
}

int GetCtxParams(void* vctx, OSSL_PARAM params[]) {
  auto* g = static_cast<Generator*>(vctx);
  OSSL_PARAM* p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STATE);
  if (p != nullptr && OSSL_PARAM_set_int(p, g->state) != 1) return 0;
  p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STRENGTH);
  if (p != nullptr && OSSL_PARAM_set_uint(p, kStrength) != 1) return 0;
  p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_MAX_REQUEST);
  if (p != nullptr && OSSL_PARAM_set_size_t(p, kMaxRequest) != 1) return 0;
  p = OSSL_PARAM_locate(params, kDrawnParameter);
  if (p != nullptr && OSSL_PARAM_set_uint64(p, g->drawn) != 1) return 0;
  p = OSSL_PARAM_locate(params, kRekeysParameter);
  if (p != nullptr && OSSL_PARAM_set_uint64(p, g->rekeys) != 1) return 0;
  return 1;
}

// Moves the stream to `drawn` bytes after the last (re)key, back or
// forward: the stream is SHA-256 in counter mode, so any position is a
// block number and an offset.
int SetCtxParams(void* vctx, const OSSL_PARAM params[]) {
  auto* g = static_cast<Generator*>(vctx);
  const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, kDrawnParameter);
  if (p == nullptr) return 1;
  uint64_t drawn = 0;
  if (OSSL_PARAM_get_uint64(p, &drawn) != 1) return 0;
  g->next_block = drawn / kBlockSize;
  g->block_used = kBlockSize;
  g->drawn = g->next_block * kBlockSize;
  if (drawn % kBlockSize != 0) {
    unsigned char skip[kBlockSize];
    if (!Fill(g, skip, static_cast<size_t>(drawn % kBlockSize))) return 0;
  }
  return g->drawn == drawn ? 1 : 0;
}

const OSSL_PARAM* SettableCtxParams(void* /*vctx*/, void* /*provctx*/) {
  static const OSSL_PARAM kSettable[] = {
      OSSL_PARAM_uint64(kDrawnParameter, nullptr), OSSL_PARAM_END};
  return kSettable;
}

const OSSL_PARAM* GettableCtxParams(void* /*vctx*/, void* /*provctx*/) {
  static const OSSL_PARAM kGettable[] = {
      OSSL_PARAM_int(OSSL_RAND_PARAM_STATE, nullptr),
      OSSL_PARAM_uint(OSSL_RAND_PARAM_STRENGTH, nullptr),
      OSSL_PARAM_size_t(OSSL_RAND_PARAM_MAX_REQUEST, nullptr),
      OSSL_PARAM_uint64(kDrawnParameter, nullptr),
      OSSL_PARAM_uint64(kRekeysParameter, nullptr),
      OSSL_PARAM_END};
  return kGettable;
}

int VerifyZeroization(void* vctx) {
  auto* g = static_cast<Generator*>(vctx);
  const auto zero = [](const unsigned char* p) {
    return std::all_of(p, p + kBlockSize,
                       [](unsigned char c) { return c == 0; });
  };
  return g->state == EVP_RAND_STATE_UNINITIALISED && zero(g->key) &&
                 zero(g->block)
             ? 1
             : 0;
}

// --- the provider ------------------------------------------------------

// A dispatch entry; naming the OSSL_FUNC_*_fn type makes the compiler check
// the function's signature.
template <typename FnType>
OSSL_DISPATCH Entry(int id, FnType* fn) {
  return {id, reinterpret_cast<void (*)()>(fn)};
}

const OSSL_DISPATCH* GeneratorFunctions() {
  static const OSSL_DISPATCH kFunctions[] = {
      Entry<OSSL_FUNC_rand_newctx_fn>(OSSL_FUNC_RAND_NEWCTX, NewCtx),
      Entry<OSSL_FUNC_rand_freectx_fn>(OSSL_FUNC_RAND_FREECTX, FreeCtx),
      Entry<OSSL_FUNC_rand_instantiate_fn>(OSSL_FUNC_RAND_INSTANTIATE,
                                           Instantiate),
      Entry<OSSL_FUNC_rand_uninstantiate_fn>(OSSL_FUNC_RAND_UNINSTANTIATE,
                                             Uninstantiate),
      Entry<OSSL_FUNC_rand_generate_fn>(OSSL_FUNC_RAND_GENERATE, Generate),
      Entry<OSSL_FUNC_rand_reseed_fn>(OSSL_FUNC_RAND_RESEED, Reseed),
      Entry<OSSL_FUNC_rand_get_seed_fn>(OSSL_FUNC_RAND_GET_SEED, GetSeed),
      Entry<OSSL_FUNC_rand_clear_seed_fn>(OSSL_FUNC_RAND_CLEAR_SEED, ClearSeed),
      Entry<OSSL_FUNC_rand_enable_locking_fn>(OSSL_FUNC_RAND_ENABLE_LOCKING,
                                              EnableLocking),
      Entry<OSSL_FUNC_rand_lock_fn>(OSSL_FUNC_RAND_LOCK, Lock),
      Entry<OSSL_FUNC_rand_unlock_fn>(OSSL_FUNC_RAND_UNLOCK, Unlock),
      Entry<OSSL_FUNC_rand_get_ctx_params_fn>(OSSL_FUNC_RAND_GET_CTX_PARAMS,
                                              GetCtxParams),
      Entry<OSSL_FUNC_rand_gettable_ctx_params_fn>(
          OSSL_FUNC_RAND_GETTABLE_CTX_PARAMS, GettableCtxParams),
      Entry<OSSL_FUNC_rand_set_ctx_params_fn>(OSSL_FUNC_RAND_SET_CTX_PARAMS,
                                              SetCtxParams),
      Entry<OSSL_FUNC_rand_settable_ctx_params_fn>(
          OSSL_FUNC_RAND_SETTABLE_CTX_PARAMS, SettableCtxParams),
      Entry<OSSL_FUNC_rand_verify_zeroization_fn>(
          OSSL_FUNC_RAND_VERIFY_ZEROIZATION, VerifyZeroization),
      {0, nullptr}};
  return kFunctions;
}

const OSSL_ALGORITHM* QueryOperation(void* /*provctx*/, int operation_id,
                                     int* no_cache) {
  static const OSSL_ALGORITHM kRands[] = {
      {kAlgorithmName, kProperties, GeneratorFunctions(),
       "counter-mode SHA-256 stream from a seed, for reproducible runs"},
      {nullptr, nullptr, nullptr, nullptr}};
  *no_cache = 0;
  return operation_id == OSSL_OP_RAND ? kRands : nullptr;
}

void Teardown(void* provctx) { delete static_cast<Provider*>(provctx); }

// The provider's entry point: reads the seed from the provider's
// configuration parameter "seed" (decimal); fails without it.
int InitProvider(const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH* in,
                 const OSSL_DISPATCH** out, void** provctx) {
  static const OSSL_DISPATCH kFunctions[] = {
      Entry<OSSL_FUNC_provider_teardown_fn>(OSSL_FUNC_PROVIDER_TEARDOWN,
                                            Teardown),
      Entry<OSSL_FUNC_provider_query_operation_fn>(
          OSSL_FUNC_PROVIDER_QUERY_OPERATION, QueryOperation),
      {0, nullptr}};
  OSSL_FUNC_core_get_params_fn* get_params = nullptr;
  for (; in->function_id != 0; ++in) {
    if (in->function_id == OSSL_FUNC_CORE_GET_PARAMS) {
      get_params = OSSL_FUNC_core_get_params(in);
    }
  }
  char* text = nullptr;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_ptr(kSeedParameter, &text, 0),
      OSSL_PARAM_construct_end()};
  if (get_params == nullptr || get_params(handle, params) != 1 ||
      text == nullptr) {
    return 0;
  }
  uint64_t seed = 0;
  const char* end = text + std::strlen(text);
  const auto [parsed, error] = std::from_chars(text, end, seed);
  if (error != std::errc() || parsed != end) return 0;
  auto* provider = new (std::nothrow) Provider(seed);
  if (provider == nullptr) return 0;
  *out = kFunctions;
  *provctx = provider;
  return 1;
}

// Activates "tlsim-seeded" with parameter seed=`seed`, and "default", in
// `libctx` through an in-memory configuration. Providers activated this way
// belong to the library context, which unloads them when freed; a reference
// from OSSL_PROVIDER_load would need its own OSSL_PROVIDER_unload. A
// provider that fails to start does not fail this: check afterwards.
bool ActivateProviders(OSSL_LIB_CTX* libctx, uint64_t seed) {
  // Registers the "providers" configuration module; once per process.
  [[maybe_unused]] static const bool kModules =
      (OPENSSL_load_builtin_modules(), true);
  const std::string config = kConfigBeforeSeed + std::to_string(seed) + "\n";
  BioPtr bio(BIO_new_mem_buf(config.data(), static_cast<int>(config.size())));
  ConfPtr conf(NCONF_new_ex(libctx, nullptr));
  long error_line = 0;
  return bio != nullptr && conf != nullptr &&
         NCONF_load_bio(conf.get(), bio.get(), &error_line) == 1 &&
         CONF_modules_load(conf.get(), "tlsim_conf", 0) == 1;
}

// Fills *out_error with "cannot use seeded randomness: <message>", plus the
// reason of the oldest queued OpenSSL error if any; empties the queue.
bool Fail(const std::string& message, std::string* out_error) {
  unsigned long code = ERR_get_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  *out_error = "cannot use seeded randomness: " + message;
  if (reason != nullptr) *out_error += std::string(": ") + reason;
  return false;
}

bool IsOurs(EVP_RAND_CTX* rand) {
  const OSSL_PROVIDER* from =
      EVP_RAND_get0_provider(EVP_RAND_CTX_get0_rand(rand));
  return std::strcmp(OSSL_PROVIDER_get0_name(from), kProviderName) == 0;
}

// The library context's primary, public and private DRBGs, in that order.
std::array<EVP_RAND_CTX*, 3> Drbgs(OSSL_LIB_CTX* libctx) {
  return {RAND_get0_primary(libctx), RAND_get0_public(libctx),
          RAND_get0_private(libctx)};
}

}  // namespace

bool GetRandomPosition(OSSL_LIB_CTX* libctx, RandomPosition* out) {
  if (libctx == nullptr) return false;
  const std::array<EVP_RAND_CTX*, 3> drbgs = Drbgs(libctx);
  for (size_t i = 0; i < drbgs.size(); ++i) {
    if (drbgs[i] == nullptr || !IsOurs(drbgs[i])) return false;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_uint64(kDrawnParameter, &out->drawn[i]),
        OSSL_PARAM_construct_uint64(kRekeysParameter, &out->rekeys[i]),
        OSSL_PARAM_construct_end()};
    if (EVP_RAND_CTX_get_params(drbgs[i], params) != 1) return false;
  }
  return true;
}

bool AdvanceRandom(OSSL_LIB_CTX* libctx, const RandomPosition& to) {
  RandomPosition now;
  if (!GetRandomPosition(libctx, &now) || now.rekeys != to.rekeys) {
    return false;
  }
  const std::array<EVP_RAND_CTX*, 3> drbgs = Drbgs(libctx);
  std::array<unsigned char, 4096> discard;
  for (size_t i = 0; i < drbgs.size(); ++i) {
    if (now.drawn[i] > to.drawn[i]) return false;
    for (uint64_t left = to.drawn[i] - now.drawn[i]; left > 0;) {
      const size_t n =
          static_cast<size_t>(std::min<uint64_t>(left, discard.size()));
      if (EVP_RAND_generate(drbgs[i], discard.data(), n, 0, 0, nullptr, 0) !=
          1) {
        return false;
      }
      left -= n;
    }
  }
  return GetRandomPosition(libctx, &now) && now == to;
}

bool RewindRandom(OSSL_LIB_CTX* libctx, const RandomPosition& to) {
  RandomPosition now;
  if (!GetRandomPosition(libctx, &now) || now.rekeys != to.rekeys) {
    return false;
  }
  const std::array<EVP_RAND_CTX*, 3> drbgs = Drbgs(libctx);
  for (size_t i = 0; i < drbgs.size(); ++i) {
    uint64_t drawn = to.drawn[i];
    OSSL_PARAM params[] = {OSSL_PARAM_construct_uint64(kDrawnParameter, &drawn),
                           OSSL_PARAM_construct_end()};
    if (EVP_RAND_CTX_set_params(drbgs[i], params) != 1) return false;
  }
  return GetRandomPosition(libctx, &now) && now == to;
}

bool UseSeededRandom(OSSL_LIB_CTX* libctx, uint64_t seed,
                     std::string* out_error) {
  if (libctx == nullptr) {
    return Fail("needs a library context of its own, not the default (NULL)",
                out_error);
  }
  if (OSSL_PROVIDER_add_builtin(libctx, kProviderName, InitProvider) != 1) {
    return Fail("cannot add provider 'tlsim-seeded'", out_error);
  }
  if (!ActivateProviders(libctx, seed) ||
      OSSL_PROVIDER_available(libctx, kProviderName) != 1 ||
      OSSL_PROVIDER_available(libctx, "default") != 1) {
    return Fail("cannot activate providers 'tlsim-seeded' and 'default'",
                out_error);
  }
  if (RAND_set_seed_source_type(libctx, kAlgorithmName, kProperties) != 1 ||
      RAND_set_DRBG_type(libctx, kAlgorithmName, kProperties, nullptr,
                         nullptr) != 1) {
    // Refused because the DRBGs exist already ("already instantiated"): say
    // whose they are instead.
    ERR_clear_error();
    EVP_RAND_CTX* primary = RAND_get0_primary(libctx);
    return Fail(primary != nullptr && IsOurs(primary)
                    ? "this library context is already seeded"
                    : "this library context's randomness was already used",
                out_error);
  }
  // Created here, in this order, so that their labels are fixed: seed
  // source 0, primary 1, public 2, private 3.
  for (EVP_RAND_CTX* (*get)(OSSL_LIB_CTX*) :
       {RAND_get0_primary, RAND_get0_public, RAND_get0_private}) {
    EVP_RAND_CTX* rand = get(libctx);
    if (rand == nullptr) {
      return Fail("cannot create the library context's DRBGs", out_error);
    }
    if (!IsOurs(rand)) {
      return Fail("a DRBG of the library context is not TLSIM-SEEDED",
                  out_error);
    }
  }
  return true;
}

}  // namespace tlsim::tls

#endif  // TLSIM_HAS_PROVIDERS
