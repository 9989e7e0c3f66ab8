#include "lib/tls/names.h"

#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/x509_vfy.h>

#include <string>
#include <vector>

#include "lib/tls/compat.h"

namespace tlsim::tls {
namespace {

struct Name {
  long value;
  const char* name;
};

// Every X509_V_OK / X509_V_ERR_* macro of OpenSSL 3.0's <openssl/x509_vfy.h>
// (later versions only add codes), each written once: the row's name is its
// identifier's spelling. Codes 1.1.1 does not have are left out there.
#define VERIFY_RESULT(code) \
  Name { code, #code }
constexpr Name kVerifyResults[] = {
    VERIFY_RESULT(X509_V_OK),
    VERIFY_RESULT(X509_V_ERR_UNSPECIFIED),
    VERIFY_RESULT(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT),
    VERIFY_RESULT(X509_V_ERR_UNABLE_TO_GET_CRL),
    VERIFY_RESULT(X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE),
    VERIFY_RESULT(X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE),
    VERIFY_RESULT(X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY),
    VERIFY_RESULT(X509_V_ERR_CERT_SIGNATURE_FAILURE),
    VERIFY_RESULT(X509_V_ERR_CRL_SIGNATURE_FAILURE),
    VERIFY_RESULT(X509_V_ERR_CERT_NOT_YET_VALID),
    VERIFY_RESULT(X509_V_ERR_CERT_HAS_EXPIRED),
    VERIFY_RESULT(X509_V_ERR_CRL_NOT_YET_VALID),
    VERIFY_RESULT(X509_V_ERR_CRL_HAS_EXPIRED),
    VERIFY_RESULT(X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD),
    VERIFY_RESULT(X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD),
    VERIFY_RESULT(X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD),
    VERIFY_RESULT(X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD),
    VERIFY_RESULT(X509_V_ERR_OUT_OF_MEM),
    VERIFY_RESULT(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT),
    VERIFY_RESULT(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN),
    VERIFY_RESULT(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY),
    VERIFY_RESULT(X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE),
    VERIFY_RESULT(X509_V_ERR_CERT_CHAIN_TOO_LONG),
    VERIFY_RESULT(X509_V_ERR_CERT_REVOKED),
    VERIFY_RESULT(X509_V_ERR_NO_ISSUER_PUBLIC_KEY),
    VERIFY_RESULT(X509_V_ERR_PATH_LENGTH_EXCEEDED),
    VERIFY_RESULT(X509_V_ERR_INVALID_PURPOSE),
    VERIFY_RESULT(X509_V_ERR_CERT_UNTRUSTED),
    VERIFY_RESULT(X509_V_ERR_CERT_REJECTED),
    VERIFY_RESULT(X509_V_ERR_SUBJECT_ISSUER_MISMATCH),
    VERIFY_RESULT(X509_V_ERR_AKID_SKID_MISMATCH),
    VERIFY_RESULT(X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH),
    VERIFY_RESULT(X509_V_ERR_KEYUSAGE_NO_CERTSIGN),
    VERIFY_RESULT(X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER),
    VERIFY_RESULT(X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION),
    VERIFY_RESULT(X509_V_ERR_KEYUSAGE_NO_CRL_SIGN),
    VERIFY_RESULT(X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION),
    VERIFY_RESULT(X509_V_ERR_INVALID_NON_CA),
    VERIFY_RESULT(X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED),
    VERIFY_RESULT(X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE),
    VERIFY_RESULT(X509_V_ERR_PROXY_CERTIFICATES_NOT_ALLOWED),
    VERIFY_RESULT(X509_V_ERR_INVALID_EXTENSION),
    VERIFY_RESULT(X509_V_ERR_INVALID_POLICY_EXTENSION),
    VERIFY_RESULT(X509_V_ERR_NO_EXPLICIT_POLICY),
    VERIFY_RESULT(X509_V_ERR_DIFFERENT_CRL_SCOPE),
    VERIFY_RESULT(X509_V_ERR_UNSUPPORTED_EXTENSION_FEATURE),
    VERIFY_RESULT(X509_V_ERR_UNNESTED_RESOURCE),
    VERIFY_RESULT(X509_V_ERR_PERMITTED_VIOLATION),
    VERIFY_RESULT(X509_V_ERR_EXCLUDED_VIOLATION),
    VERIFY_RESULT(X509_V_ERR_SUBTREE_MINMAX),
    VERIFY_RESULT(X509_V_ERR_APPLICATION_VERIFICATION),
    VERIFY_RESULT(X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE),
    VERIFY_RESULT(X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX),
    VERIFY_RESULT(X509_V_ERR_UNSUPPORTED_NAME_SYNTAX),
    VERIFY_RESULT(X509_V_ERR_CRL_PATH_VALIDATION_ERROR),
    VERIFY_RESULT(X509_V_ERR_PATH_LOOP),
    VERIFY_RESULT(X509_V_ERR_SUITE_B_INVALID_VERSION),
    VERIFY_RESULT(X509_V_ERR_SUITE_B_INVALID_ALGORITHM),
    VERIFY_RESULT(X509_V_ERR_SUITE_B_INVALID_CURVE),
    VERIFY_RESULT(X509_V_ERR_SUITE_B_INVALID_SIGNATURE_ALGORITHM),
    VERIFY_RESULT(X509_V_ERR_SUITE_B_LOS_NOT_ALLOWED),
    VERIFY_RESULT(X509_V_ERR_SUITE_B_CANNOT_SIGN_P_384_WITH_P_256),
    VERIFY_RESULT(X509_V_ERR_HOSTNAME_MISMATCH),
    VERIFY_RESULT(X509_V_ERR_EMAIL_MISMATCH),
    VERIFY_RESULT(X509_V_ERR_IP_ADDRESS_MISMATCH),
    VERIFY_RESULT(X509_V_ERR_DANE_NO_MATCH),
    VERIFY_RESULT(X509_V_ERR_EE_KEY_TOO_SMALL),
    VERIFY_RESULT(X509_V_ERR_CA_KEY_TOO_SMALL),
    VERIFY_RESULT(X509_V_ERR_CA_MD_TOO_WEAK),
    VERIFY_RESULT(X509_V_ERR_INVALID_CALL),
    VERIFY_RESULT(X509_V_ERR_STORE_LOOKUP),
    VERIFY_RESULT(X509_V_ERR_NO_VALID_SCTS),
    VERIFY_RESULT(X509_V_ERR_PROXY_SUBJECT_NAME_VIOLATION),
    VERIFY_RESULT(X509_V_ERR_OCSP_VERIFY_NEEDED),
    VERIFY_RESULT(X509_V_ERR_OCSP_VERIFY_FAILED),
    VERIFY_RESULT(X509_V_ERR_OCSP_CERT_UNKNOWN),
    VERIFY_RESULT(X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM),
    VERIFY_RESULT(X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH),
#ifdef X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY  // 3.0 and later
    VERIFY_RESULT(X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY),
#endif
    VERIFY_RESULT(X509_V_ERR_INVALID_CA),
#ifdef X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA  // 3.0 and later
    VERIFY_RESULT(X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA),
#endif
#ifdef X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN  // 3.0 and later
    VERIFY_RESULT(X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN),
#endif
#ifdef X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA  // 3.0 and later
    VERIFY_RESULT(X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA),
#endif
#ifdef X509_V_ERR_ISSUER_NAME_EMPTY  // 3.0 and later
    VERIFY_RESULT(X509_V_ERR_ISSUER_NAME_EMPTY),
#endif
#ifdef X509_V_ERR_SUBJECT_NAME_EMPTY  // 3.0 and later
    VERIFY_RESULT(X509_V_ERR_SUBJECT_NAME_EMPTY),
#endif
#ifdef X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER  // 3.0 and later
    VERIFY_RESULT(X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER),
#endif
#ifdef X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER  // 3.0 and later
    VERIFY_RESULT(X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER),
#endif
#ifdef X509_V_ERR_EMPTY_SUBJECT_ALT_NAME  // 3.0 and later
    VERIFY_RESULT(X509_V_ERR_EMPTY_SUBJECT_ALT_NAME),
#endif
#ifdef X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL  // 3.0 and later
    VERIFY_RESULT(X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL),
#endif
#ifdef X509_V_ERR_CA_BCONS_NOT_CRITICAL  // 3.0 and later
    VERIFY_RESULT(X509_V_ERR_CA_BCONS_NOT_CRITICAL),
#endif
#ifdef X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL  // 3.0 and later
    VERIFY_RESULT(X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL),
#endif
#ifdef X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL  // 3.0 and later
    VERIFY_RESULT(X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL),
#endif
#ifdef X509_V_ERR_CA_CERT_MISSING_KEY_USAGE  // 3.0 and later
    VERIFY_RESULT(X509_V_ERR_CA_CERT_MISSING_KEY_USAGE),
#endif
#ifdef X509_V_ERR_EXTENSIONS_REQUIRE_VERSION_3  // 3.0 and later
    VERIFY_RESULT(X509_V_ERR_EXTENSIONS_REQUIRE_VERSION_3),
#endif
    VERIFY_RESULT(X509_V_ERR_EC_KEY_EXPLICIT_PARAMS),
};
#undef VERIFY_RESULT

}  // namespace

std::string VerifyResultName(long result) {
  for (const Name& row : kVerifyResults) {
    if (row.value == result) return row.name;
  }
  return "X509_V_ERR_" + std::to_string(result);
}

namespace {

// Appends OpenSSL's short and long names of `nid`, where it has them.
void AddObjectNames(int nid, std::vector<std::string>* out) {
  for (const char* name : {OBJ_nid2sn(nid), OBJ_nid2ln(nid)}) {
    if (name != nullptr) out->push_back(name);
  }
}

// The group a key's parameters name ("prime256v1", "ffdhe2048"), or "".
std::string GroupName(EVP_PKEY* key) { return KeyGroupName(key); }

}  // namespace

std::vector<std::string> KeyTypeNames(EVP_PKEY* key) {
  if (key == nullptr) return {"none"};
  std::vector<std::string> names;
  if (KeyIs(key, "EC")) {
    const std::string group = GroupName(key);
    const int nid = OBJ_sn2nid(group.c_str());
    const char* nist = nid != NID_undef ? EC_curve_nid2nist(nid) : nullptr;
    if (nist != nullptr) names.push_back(nist);
    if (!group.empty()) names.push_back(group);
    if (nid != NID_undef) AddObjectNames(nid, &names);
    if (names.empty()) names.push_back("EC");
    return names;
  }
  static constexpr struct {
    const char* type;  // EVP_PKEY_is_a name
    const char* name;  // what tlsim prints
  } kTypes[] = {
      {"RSA", "RSA"},     {"RSA-PSS", "RSA-PSS"}, {"ED25519", "Ed25519"},
      {"ED448", "Ed448"}, {"X25519", "X25519"},   {"X448", "X448"},
      {"DSA", "DSA"},     {"DH", "DH"},
  };
  for (const auto& t : kTypes) {
    if (KeyIs(key, t.type)) {
      names.push_back(t.name);
      break;
    }
  }
  const int id = KeyBaseId(key);
  if (id != NID_undef) AddObjectNames(id, &names);
  if (KeyIs(key, "DH")) {
    const std::string group = GroupName(key);
    if (!group.empty()) names.push_back(group);
  }
  if (names.empty()) {
    const char* type = KeyTypeName(key);
    names.push_back(type != nullptr ? type : "unknown");
  }
  return names;
}

std::vector<std::string> SignatureTypeNames(int nid) {
  switch (nid) {
    case EVP_PKEY_RSA:
      return {"RSA"};
    case EVP_PKEY_RSA_PSS:
      return {"RSA-PSS"};
    case EVP_PKEY_EC:
      return {"ECDSA", "EC"};
    case EVP_PKEY_ED25519:
      return {"Ed25519"};
    case EVP_PKEY_ED448:
      return {"Ed448"};
    case EVP_PKEY_DSA:
      return {"DSA"};
    default: {
      std::vector<std::string> names;
      AddObjectNames(nid, &names);
      if (names.empty()) names.push_back(std::to_string(nid));
      return names;
    }
  }
}

std::vector<std::string> DigestNames(int nid) {
  if (nid == NID_undef) return {"none"};
  std::vector<std::string> names;
  AddObjectNames(nid, &names);
  if (names.empty()) names.push_back(std::to_string(nid));
  return names;
}

}  // namespace tlsim::tls
