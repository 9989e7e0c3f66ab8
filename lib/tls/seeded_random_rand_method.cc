// Seeded randomness on OpenSSL 1.1.1 (seeded_random.h says what and why):
// a process-wide RAND_METHOD over the LibCtx of the calling thread's
// LibraryScope. On 3.x, seeded_random.cc's provider.
#include "lib/tls/seeded_random.h"

#if !TLSIM_HAS_PROVIDERS

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <span>

namespace tlsim::tls {
namespace {

using Bytes = std::span<const unsigned char>;

constexpr char kDomain[] = "tlsim-seeded/1";
constexpr size_t kBlockSize = 32;  // SHA-256
// The public DRBG's label on 3.x: the one generator of a 1.1.1 run.
constexpr uint64_t kLabel = 2;
constexpr size_t kPublic = 1;  // its index in RandomPosition

std::array<unsigned char, 8> BigEndian(uint64_t value) {
  std::array<unsigned char, 8> out;
  for (int i = 7; i >= 0; --i, value >>= 8) {
    out[i] = static_cast<unsigned char>(value & 0xff);
  }
  return out;
}

// SHA-256 of the concatenation of `parts` into `out`. EVP_Digest* draw no
// random bytes, so this never re-enters the RAND_METHOD.
bool Digest(std::initializer_list<Bytes> parts, unsigned char* out) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return false;
  }
  for (Bytes part : parts) {
    if (EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) {
      return false;
    }
  }
  unsigned int length = 0;
  return EVP_DigestFinal_ex(ctx.get(), out, &length) == 1 &&
         length == kBlockSize;
}

// Copies the next `length` bytes of lib's stream to `out`.
bool Fill(LibCtx* lib, unsigned char* out, size_t length) {
  while (length > 0) {
    if (lib->block_used == kBlockSize) {
      if (!Digest({lib->key, BigEndian(lib->next_block)}, lib->block.data())) {
        return false;
      }
      ++lib->next_block;
      lib->block_used = 0;
    }
    const size_t n = std::min(length, kBlockSize - lib->block_used);
    std::memcpy(out, lib->block.data() + lib->block_used, n);
    lib->block_used += n;
    lib->drawn += n;
    out += n;
    length -= n;
  }
  return true;
}

// The seeded run of this thread's LibraryScope, or nullptr.
LibCtx* SeededRun() {
  LibCtx* lib = CurrentLibrary();
  return lib != nullptr && lib->seeded ? lib : nullptr;
}

int RandBytes(unsigned char* out, int length) {
  if (LibCtx* lib = SeededRun()) {
    return length >= 0 && Fill(lib, out, static_cast<size_t>(length)) ? 1 : 0;
  }
  return RAND_OpenSSL()->bytes(out, length);
}

int Seed(const void* buffer, int length) {
  if (SeededRun() != nullptr) return 1;
  const RAND_METHOD* own = RAND_OpenSSL();
  return own->seed != nullptr ? own->seed(buffer, length) : 1;
}

int Add(const void* buffer, int length, double entropy) {
  if (SeededRun() != nullptr) return 1;
  const RAND_METHOD* own = RAND_OpenSSL();
  return own->add != nullptr ? own->add(buffer, length, entropy) : 1;
}

int Status() {
  if (SeededRun() != nullptr) return 1;
  return RAND_OpenSSL()->status();
}

// OpenSSL's own method has no cleanup (1.1.1 frees its DRBGs itself).
void Cleanup() {
  const RAND_METHOD* own = RAND_OpenSSL();
  if (own->cleanup != nullptr) own->cleanup();
}

// Installs the method once per process. Returns false when OpenSSL refuses.
bool InstallMethod() {
  static const RAND_METHOD kMethod = {Seed, RandBytes, Cleanup,
                                      Add,  RandBytes, Status};
  static const bool installed = RAND_set_rand_method(&kMethod) == 1;
  return installed && RAND_get_rand_method() == &kMethod;
}

bool Fail(const std::string& message, std::string* out_error) {
  unsigned long code = ERR_get_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  *out_error = "cannot use seeded randomness: " + message;
  if (reason != nullptr) *out_error += std::string(": ") + reason;
  return false;
}

// Moves lib's stream to `drawn` bytes after its key: a block number and an
// offset, as the provider's SetCtxParams does.
bool Seek(LibCtx* lib, uint64_t drawn) {
  lib->next_block = drawn / kBlockSize;
  lib->block_used = kBlockSize;
  lib->drawn = lib->next_block * kBlockSize;
  if (drawn % kBlockSize != 0) {
    unsigned char skip[kBlockSize];
    if (!Fill(lib, skip, static_cast<size_t>(drawn % kBlockSize))) {
      return false;
    }
  }
  return lib->drawn == drawn;
}

}  // namespace

bool UseSeededRandom(LibCtx* libctx, uint64_t seed, std::string* out_error) {
  if (libctx == nullptr) {
    return Fail("needs a library context of its own, not the default (NULL)",
                out_error);
  }
  if (libctx->seeded) {
    return Fail("this library context is already seeded", out_error);
  }
  if (!InstallMethod()) {
    return Fail("cannot install tlsim's RAND_METHOD", out_error);
  }
  // Instantiated as the provider's public DRBG is, with no personalisation.
  std::array<unsigned char, kBlockSize> key;
  if (!Digest({Bytes(reinterpret_cast<const unsigned char*>(kDomain),
                     sizeof kDomain - 1),
               BigEndian(seed), BigEndian(kLabel), BigEndian(0)},
              key.data())) {
    return Fail("cannot hash the seed", out_error);
  }
  libctx->key = key;
  OPENSSL_cleanse(key.data(), key.size());
  libctx->seed = seed;
  libctx->seeded = true;
  libctx->next_block = 0;
  libctx->block_used = kBlockSize;
  libctx->drawn = 0;
  libctx->rekeys = 1;
  return true;
}

bool GetRandomPosition(LibCtx* libctx, RandomPosition* out) {
  if (libctx == nullptr || !libctx->seeded) return false;
  *out = RandomPosition();
  out->drawn[kPublic] = libctx->drawn;
  out->rekeys[kPublic] = libctx->rekeys;
  return true;
}

bool AdvanceRandom(LibCtx* libctx, const RandomPosition& to) {
  RandomPosition now;
  if (!GetRandomPosition(libctx, &now) || now.rekeys != to.rekeys ||
      now.drawn[kPublic] > to.drawn[kPublic]) {
    return false;
  }
  return to.drawn == now.drawn ||
         (Seek(libctx, to.drawn[kPublic]) && GetRandomPosition(libctx, &now) &&
          now == to);
}

bool RewindRandom(LibCtx* libctx, const RandomPosition& to) {
  RandomPosition now;
  if (!GetRandomPosition(libctx, &now) || now.rekeys != to.rekeys) {
    return false;
  }
  return Seek(libctx, to.drawn[kPublic]) && GetRandomPosition(libctx, &now) &&
         now == to;
}

}  // namespace tlsim::tls

#endif  // !TLSIM_HAS_PROVIDERS
