#include "lib/tls/pki.h"

#include <openssl/ec.h>
#include <openssl/err.h>

#include <ctime>
#include <utility>

#include "lib/tls/compat.h"

namespace tlsim::tls {
namespace {

using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, Free<EVP_MD_CTX_free>>;

// The reason of the oldest queued OpenSSL error, or "unknown error"; empties
// the queue either way.
std::string TakeOpenSslReason() {
  unsigned long code = ERR_get_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  return reason != nullptr ? reason : "unknown error";
}

// Fills *out_error with "certificate '<name>': <message>" and returns false.
bool SpecError(const CertSpec& spec, const std::string& message,
               std::string* out_error) {
  *out_error = "certificate '" + spec.name + "': " + message;
  return false;
}

// As SpecError, with the OpenSSL reason for a failed `what` appended.
bool OpenSslError(const CertSpec& spec, const std::string& what,
                  std::string* out_error) {
  return SpecError(spec,
                   "OpenSSL failed to " + what + ": " + TakeOpenSslReason(),
                   out_error);
}

// Adds one extension built from its configuration-file text, e.g.
// "critical,CA:TRUE", in the issuer/subject context `v3`.
bool AddExtension(X509* cert, X509V3_CTX* v3, int nid, const char* value) {
  X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, v3, nid, value));
  return ext != nullptr && X509_add_ext(cert, ext.get(), -1) == 1;
}

// Writes an EC key's public point compressed from now on. Returns false on
// failure.
bool CompressPoint(EVP_PKEY* key) {
#if TLSIM_HAS_PROVIDERS
  return EVP_PKEY_set_utf8_string_param(
             key, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed") ==
         1;
#else
  EC_KEY* ec = EVP_PKEY_get0_EC_KEY(key);
  if (ec == nullptr) return false;
  EC_KEY_set_conv_form(ec, POINT_CONVERSION_COMPRESSED);
  return true;
#endif
}

// Starts a signature with `key` over `digest` (nullptr: none) in `libctx`.
bool SignInit(EVP_MD_CTX* md_ctx, const char* digest, LibCtx* libctx,
              EVP_PKEY* key) {
#if TLSIM_HAS_PROVIDERS
  return EVP_DigestSignInit_ex(md_ctx, nullptr, digest, libctx, nullptr, key,
                               nullptr) == 1;
#else
  (void)libctx;
  const EVP_MD* md = digest != nullptr ? EVP_get_digestbyname(digest) : nullptr;
  if (digest != nullptr && md == nullptr) return false;
  return EVP_DigestSignInit(md_ctx, nullptr, md, nullptr, key) == 1;
#endif
}

}  // namespace

bool Pki::Build(LibCtx* libctx, const std::vector<CertSpec>& specs,
                std::string* out_error, std::optional<uint64_t> seed) {
  // 1.1.1 draws through the RAND_METHOD, which reads this scope.
  LibraryScope scope(libctx);
  // Built aside and swapped in at the end, so a failed Build leaves the
  // previous contents untouched.
  std::map<std::string, Issued> built;
  long serial = 0;
  for (const CertSpec& spec : specs) {
    ++serial;
    if (built.count(spec.name) != 0) {
      return SpecError(spec, "duplicate name", out_error);
    }
    const Issued* issuer = nullptr;
    if (spec.issuer.empty()) {
      if (!spec.is_ca) {
        return SpecError(spec, "a leaf needs an issuer", out_error);
      }
    } else {
      auto it = built.find(spec.issuer);
      if (it == built.end()) {
        return SpecError(spec, "unknown issuer '" + spec.issuer + "'",
                         out_error);
      }
      issuer = &it->second;
      if (!issuer->is_ca) {
        return SpecError(spec, "issuer '" + spec.issuer + "' is not a CA",
                         out_error);
      }
    }

    if (spec.compressed_point && !IsEc(spec.key)) {
      return SpecError(spec, "only an EC key has a compressed point",
                       out_error);
    }
    EvpPkeyPtr key;
    std::string key_error;
    if (!MakeKey(libctx, spec.key, seed, &key, &key_error)) {
      return SpecError(spec, key_error, out_error);
    }
    if (spec.compressed_point && !CompressPoint(key.get())) {
      return OpenSslError(spec, "compress the point", out_error);
    }

    X509Ptr cert = NewCertificate(libctx);
    if (cert == nullptr) {
      return OpenSslError(spec, "create the certificate", out_error);
    }
    X509NamePtr subject(X509_NAME_new());
    const auto* cn = reinterpret_cast<const unsigned char*>(spec.name.c_str());
    if (subject == nullptr ||
        X509_NAME_add_entry_by_txt(subject.get(), "CN", MBSTRING_UTF8, cn, -1,
                                   -1, 0) != 1 ||
        X509_set_version(cert.get(), kX509Version3) != 1 ||
        ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial) != 1 ||
        X509_set_subject_name(cert.get(), subject.get()) != 1 ||
        X509_set_issuer_name(cert.get(),
                             issuer != nullptr
                                 ? X509_get_subject_name(issuer->cert.get())
                                 : subject.get()) != 1 ||
        ASN1_TIME_set(X509_getm_notBefore(cert.get()),
                      static_cast<time_t>(spec.not_before)) == nullptr ||
        ASN1_TIME_set(X509_getm_notAfter(cert.get()),
                      static_cast<time_t>(spec.not_after)) == nullptr ||
        X509_set_pubkey(cert.get(), key.get()) != 1) {
      return OpenSslError(spec, "fill in the certificate", out_error);
    }

    // The subject's public key must be in place before the key identifiers
    // are computed from it.
    X509* issuer_cert = issuer != nullptr ? issuer->cert.get() : cert.get();
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer_cert, cert.get(), nullptr, nullptr, 0);
    bool ok;
    if (spec.is_ca) {
      ok = AddExtension(cert.get(), &v3, NID_basic_constraints,
                        "critical,CA:TRUE") &&
           AddExtension(cert.get(), &v3, NID_key_usage,
                        "critical,keyCertSign,cRLSign") &&
           AddExtension(cert.get(), &v3, NID_subject_key_identifier, "hash");
      std::string constraints;
      for (const std::string& dns : spec.permitted_dns) {
        constraints += (constraints.empty() ? "" : ",");
        constraints += "permitted;DNS:" + dns;
      }
      for (const std::string& dns : spec.excluded_dns) {
        constraints += (constraints.empty() ? "" : ",");
        constraints += "excluded;DNS:" + dns;
      }
      if (ok && !constraints.empty()) {
        ok = AddExtension(cert.get(), &v3, NID_name_constraints,
                          ("critical," + constraints).c_str());
      }
    } else {
      std::string san;
      const std::vector<std::string> names =
          spec.dns.empty() ? std::vector<std::string>{spec.name} : spec.dns;
      for (const std::string& dns : names) {
        san += (san.empty() ? "DNS:" : ",DNS:") + dns;
      }
      ok = AddExtension(cert.get(), &v3, NID_basic_constraints, "CA:FALSE") &&
           AddExtension(cert.get(), &v3, NID_key_usage,
                        IsRsaEncryption(spec.key)
                            ? "digitalSignature,keyEncipherment"
                            : "digitalSignature") &&
           AddExtension(cert.get(), &v3, NID_ext_key_usage,
                        "serverAuth,clientAuth") &&
           (spec.no_san ||
            AddExtension(cert.get(), &v3, NID_subject_alt_name, san.c_str()));
    }
    // Every certificate below a root names its issuer's key, which lets
    // chain building pick the right issuer.
    if (ok && issuer != nullptr) {
      ok = AddExtension(cert.get(), &v3, NID_authority_key_identifier,
                        "keyid:always");
    }
    if (!ok) return OpenSslError(spec, "add an extension", out_error);

    EVP_PKEY* signing_key = issuer != nullptr ? issuer->key.get() : key.get();
    // EdDSA signs the message itself: no separate digest. An RSA-PSS
    // issuer's key makes the signature PSS.
    const char* digest =
        KeyIs(signing_key, "ED25519") || KeyIs(signing_key, "ED448") ? nullptr
                                                                     : "SHA256";
    EvpMdCtxPtr md_ctx(EVP_MD_CTX_new());
    if (md_ctx == nullptr ||
        !SignInit(md_ctx.get(), digest, libctx, signing_key) ||
        X509_sign_ctx(cert.get(), md_ctx.get()) <= 0) {
      return OpenSslError(spec, "sign the certificate", out_error);
    }

    built.emplace(spec.name, Issued{.name = spec.name,
                                    .issuer = spec.issuer,
                                    .is_ca = spec.is_ca,
                                    .key = std::move(key),
                                    .cert = std::move(cert)});
  }
  issued_ = std::move(built);
  return true;
}

const Issued* Pki::Find(const std::string& name) const {
  auto it = issued_.find(name);
  return it != issued_.end() ? &it->second : nullptr;
}

std::vector<X509*> Pki::Intermediates(const std::string& leaf_name) const {
  std::vector<X509*> chain;
  const Issued* leaf = Find(leaf_name);
  if (leaf == nullptr) return chain;
  // Issuers always precede what they sign, so this walk ends at a root.
  for (const Issued* ca = Find(leaf->issuer);
       ca != nullptr && !ca->issuer.empty(); ca = Find(ca->issuer)) {
    chain.push_back(ca->cert.get());
  }
  return chain;
}

}  // namespace tlsim::tls
