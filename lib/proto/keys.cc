#include "lib/proto/keys.h"

namespace tlsim::proto {

CertSlot SlotOf(KeyType type) {
  switch (type) {
    case KeyType::kRsa2048:
    case KeyType::kRsa3072:
    case KeyType::kRsa4096:
      return CertSlot::kRsa;
    case KeyType::kRsaPss:
    case KeyType::kRsaPssSha256:
      return CertSlot::kRsaPss;
    case KeyType::kDsa2048:
      return CertSlot::kDsa;
    case KeyType::kEcP256:
    case KeyType::kEcP384:
    case KeyType::kEcP521:
    case KeyType::kBrainpoolP256r1:
    case KeyType::kBrainpoolP384r1:
    case KeyType::kBrainpoolP512r1:
      return CertSlot::kEcc;
    case KeyType::kEd25519:
      return CertSlot::kEd25519;
    case KeyType::kEd448:
      return CertSlot::kEd448;
  }
  return CertSlot::kEcc;
}

const char* SlotName(CertSlot slot) {
  switch (slot) {
    case CertSlot::kRsa:
      return "RSA";
    case CertSlot::kRsaPss:
      return "RSA-PSS";
    case CertSlot::kDsa:
      return "DSA";
    case CertSlot::kEcc:
      return "ECDSA";
    case CertSlot::kEd25519:
      return "Ed25519";
    case CertSlot::kEd448:
      return "Ed448";
  }
  return "?";
}

bool IsEc(KeyType type) { return SlotOf(type) == CertSlot::kEcc; }

bool IsRsaEncryption(KeyType type) { return SlotOf(type) == CertSlot::kRsa; }

}  // namespace tlsim::proto
