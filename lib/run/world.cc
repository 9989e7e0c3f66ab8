#include "lib/run/world.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include "lib/proto/names.h"
#include "lib/scenario/parser.h"
#include "lib/scenario/settings.h"
#include "lib/scenario/versions.h"
#include "lib/tls/library.h"
#include "lib/tls/names.h"
#include "lib/tls/seeded_random.h"
#include "lib/tls/version.h"

namespace tlsim::run {
namespace {

constexpr int64_t kDay = 24 * 60 * 60;

int ToTls(scenario::Version v) {
  switch (v) {
    case scenario::Version::kTls1_0:
      return TLS1_VERSION;
    case scenario::Version::kTls1_1:
      return TLS1_1_VERSION;
    case scenario::Version::kTls1_2:
      return TLS1_2_VERSION;
    case scenario::Version::kTls1_3:
      return TLS1_3_VERSION;
  }
  return 0;
}

tls::VerifyMode ToTls(scenario::VerifyMode m) {
  switch (m) {
    case scenario::VerifyMode::kNone:
      return tls::VerifyMode::kNone;
    case scenario::VerifyMode::kPeer:
      return tls::VerifyMode::kPeer;
    case scenario::VerifyMode::kRequire:
      return tls::VerifyMode::kRequire;
  }
  return tls::VerifyMode::kNone;
}

// What each of scenario::Options() sets in an EndpointConfig.
void ApplyOption(scenario::Option option, tls::EndpointConfig* c) {
  switch (option) {
    case scenario::Option::kIgnoreUnexpectedEof:
      c->ignore_unexpected_eof = true;
      return;
    case scenario::Option::kNoRenegotiation:
      c->no_renegotiation = true;
      return;
    case scenario::Option::kAllowClientRenegotiation:
      c->allow_client_renegotiation = true;
      return;
    case scenario::Option::kPartialWrite:
      c->partial_write = true;
      return;
    case scenario::Option::kMovingWriteBuffer:
      c->moving_write_buffer = true;
      return;
    case scenario::Option::kNoMiddleboxCompat:
      c->middlebox_compat = false;
      return;
    case scenario::Option::kNoAutoRetry:
      c->auto_retry = false;
      return;
    case scenario::Option::kPostHandshakeAuth:
      c->post_handshake_auth = true;
      return;
    case scenario::Option::kVerifyPostHandshake:
      c->verify_post_handshake = true;
      return;
    case scenario::Option::kAllowNoDheKex:
      c->allow_no_dhe_kex = true;
      return;
    case scenario::Option::kNoAntiReplay:
      c->no_anti_replay = true;
      return;
    case scenario::Option::kCipherServerPreference:
      c->extra_options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
      return;
    case scenario::Option::kPrioritizeChacha:
      c->extra_options |= SSL_OP_PRIORITIZE_CHACHA;
      return;
    case scenario::Option::kNoResumptionOnRenegotiation:
      c->extra_options |= SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION;
      return;
    case scenario::Option::kUnsafeLegacyRenegotiation:
      c->extra_options |= SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION;
      return;
    case scenario::Option::kLegacyServerConnect:
      c->extra_options |= SSL_OP_LEGACY_SERVER_CONNECT;
      return;
    case scenario::Option::kNoEncryptThenMac:
      c->extra_options |= SSL_OP_NO_ENCRYPT_THEN_MAC;
      return;
    case scenario::Option::kNoExtendedMasterSecret:
      c->no_extended_master_secret = true;
      return;
    case scenario::Option::kNoCaNames:
      c->no_ca_names = true;
      return;
    case scenario::Option::kBugs:
      c->extra_options |= SSL_OP_ALL;
      return;
  }
}

tls::EndpointConfig ToConfig(const scenario::EndpointDecl& d, bool server) {
  tls::EndpointConfig c;
  c.is_server = server;
  if (d.versions) {
    c.min_version = ToTls(d.versions->value.min);
    c.max_version = ToTls(d.versions->value.max);
  }
  if (d.ciphersuites) c.ciphersuites = d.ciphersuites->value;
  if (d.ciphers) c.cipher_list = d.ciphers->value;
  if (d.groups) c.groups = d.groups->value;
  if (d.sigalgs) c.sigalgs = d.sigalgs->value;
  if (d.verify) c.verify = ToTls(d.verify->value);
  if (d.trust) c.trust = d.trust->value;
  if (d.cert) c.cert = d.cert->value;
  if (d.server_name) c.server_name = d.server_name->value;
  if (d.verify_host) c.verify_host = d.verify_host->value;
  if (d.alpn) {
    c.alpn = d.alpn->value;
    c.alpn_empty = d.alpn->value.empty();  // alpn = ""
  }
  if (d.session_cache) c.session_cache = d.session_cache->value;
  if (d.tickets) c.tickets = d.tickets->value;
  auto plan = [](const std::optional<scenario::Located<scenario::RetryPlan>>& p,
                 tls::RetryPlan* out) {
    if (!p) return;
    out->enabled = true;
    out->retries = static_cast<int>(p->value.retries);
    out->then_fail = p->value.then_fail;
    out->missing_file = p->value.missing_file;
    out->accept_all = p->value.accept_all;
  };
  plan(d.client_hello_cb, &c.client_hello_cb);
  plan(d.cert_cb, &c.cert_cb);
  plan(d.client_cert_cb, &c.client_cert_cb);
  plan(d.verify_cb, &c.verify_cb);
  if (d.servername) {
    switch (d.servername->value) {
      case scenario::ServernameAction::kOk:
        c.servername = tls::ServernameAction::kOk;
        break;
      case scenario::ServernameAction::kNoAck:
        c.servername = tls::ServernameAction::kNoAck;
        break;
      case scenario::ServernameAction::kAlertWarning:
        c.servername = tls::ServernameAction::kAlertWarning;
        break;
      case scenario::ServernameAction::kAlertFatal:
        c.servername = tls::ServernameAction::kAlertFatal;
        break;
    }
  }
  if (d.sni_certs) {
    for (const auto& [host, leaf] : d.sni_certs->value)
      c.sni_certs[host] = leaf;
  }
  if (d.ticket_key_fail) c.ticket_key_fail = d.ticket_key_fail->value;
  if (d.options) {
    for (const std::string& name : d.options->value) {
      const scenario::OptionRow* option = scenario::FindOption(name);
      if (option != nullptr) ApplyOption(option->option, &c);
    }
  }
  if (d.num_tickets) c.num_tickets = static_cast<int>(d.num_tickets->value);
  if (d.max_early_data) {
    c.max_early_data = static_cast<uint32_t>(d.max_early_data->value);
  }
  if (d.max_fragment_length) {
    c.max_fragment_length = static_cast<int>(d.max_fragment_length->value);
  }
  if (d.max_send_fragment) {
    c.max_send_fragment = static_cast<int>(d.max_send_fragment->value);
  }
  if (d.security_level) {
    c.security_level = static_cast<int>(d.security_level->value);
  }
  if (d.psk_identity) c.psk_identity = d.psk_identity->value;
  if (d.psk_key) c.psk_key_hex = d.psk_key->value;
  if (d.dh_auto) c.dh_auto = d.dh_auto->value;
  if (d.ca_names) c.ca_names = d.ca_names->value;
  if (d.client_sigalgs) c.client_sigalgs = d.client_sigalgs->value;
  if (d.hello_mismatch) {
    c.hello_reject_mismatch =
        d.hello_mismatch->value == scenario::HelloMismatch::kReject;
  }
  if (d.hello_versions) {
    c.hello_min_version = ToTls(d.hello_versions->value.min);
    c.hello_max_version = ToTls(d.hello_versions->value.max);
  }
  if (d.hello_alert) c.hello_alert = static_cast<int>(d.hello_alert->value);
  return c;
}

// Whether a `server set alpn` step needs the server's ALPN callback.
bool ServerSetsAlpn(const scenario::Scenario& s) {
  for (const scenario::Step& step : s.steps) {
    const auto* set = std::get_if<scenario::SetStep>(&step);
    if (set != nullptr && set->side == scenario::Side::kServer &&
        set->settings.alpn) {
      return true;
    }
  }
  return false;
}

// Where a refused setting was written, by its scenario name; the block
// for what is no setting of the file ("context", "session_time", ...).
scenario::Pos SettingPos(const scenario::EndpointDecl& d,
                         const std::string& field) {
  const scenario::SettingRow* row = scenario::FindSetting(field);
  if (row == nullptr) return d.pos;
  return scenario::SettingPos(d, *row).value_or(d.pos);
}

trace::Message HandshakeMessage(const unsigned char* buf, size_t len) {
  if (len == 0) return trace::kEmptyHandshake;
  if (buf[0] == wire::kHandshakeServerHello && len >= 4 + 2 + 32 &&
      wire::IsHelloRetryRandom(
          std::string_view(reinterpret_cast<const char*>(buf) + 6, 32))) {
    return trace::kHelloRetryRequest;
  }
  return buf[0];
}

// The host name of a ClientHello's server_name extension (RFC 6066 3), or
// "" when it has none or is malformed (OpenSSL reports that on its own).
std::string ClientHelloSni(const unsigned char* p, size_t len) {
  size_t at = 4 + 2 + 32;  // header, legacy_version, random
  auto u8 = [&](size_t i) -> size_t { return i < len ? p[i] : 0; };
  auto u16 = [&](size_t i) -> size_t { return u8(i) << 8 | u8(i + 1); };
  if (at >= len) return "";
  at += 1 + u8(at);   // legacy_session_id
  at += 2 + u16(at);  // cipher_suites
  at += 1 + u8(at);   // legacy_compression_methods
  size_t end = std::min(len, at + 2 + u16(at));
  at += 2;
  while (at + 4 <= end) {
    size_t type = u16(at), size = u16(at + 2);
    at += 4;
    if (type == 0 && at + 5 <= end && u8(at + 2) == 0) {  // host_name
      size_t name = u16(at + 3);
      if (at + 5 + name > end) return "";
      return std::string(reinterpret_cast<const char*>(p + at + 5), name);
    }
    at += size;
  }
  return "";
}

// Records plaintext handshake messages, ChangeCipherSpec and alerts as
// OpenSSL writes and reads them, encrypted records included. Called for
// every record OpenSSL handles: it keeps numbers only.
void OnMessage(int write_p, int /*version*/, int content_type, const void* buf,
               size_t len, SSL* /*ssl*/, void* arg) {
  auto* log = static_cast<CallLog*>(arg);
  const auto* bytes = static_cast<const unsigned char*>(buf);
  switch (content_type) {
    case SSL3_RT_HANDSHAKE:
      (write_p ? log->sent : log->received)
          .push_back(HandshakeMessage(bytes, len));
      if (!write_p && len > 0 && bytes[0] == SSL3_MT_NEWSESSION_TICKET) {
        ++log->tickets_received;
      }
      if (!write_p && len > 0 && bytes[0] == SSL3_MT_CLIENT_HELLO) {
        log->sni_received = ClientHelloSni(bytes, len);
      }
      break;
    case SSL3_RT_CHANGE_CIPHER_SPEC:
      (write_p ? log->sent : log->received).push_back(trace::kChangeCipherSpec);
      break;
    case SSL3_RT_ALERT:
      if (len >= 2) {
        (write_p ? log->alerts_sent : log->alerts_received)
            .push_back({bytes[0], bytes[1]});
      }
      break;
    default:
      break;  // record headers and inner content types
  }
}

// "; this is OpenSSL 3.5", for a setting the running OpenSSL refused: what
// one version refuses, another may take (a group, an option, a version).
std::string OnThisVersion() {
  proto::OpensslSeries series;
  if (!tls::RunningSeries(&series))
    return "; this is " + tls::RunningVersionText();
  return "; this is OpenSSL " + std::string(proto::SeriesName(series));
}

bool Fail(const scenario::Scenario& s, std::string_view source,
          scenario::Pos pos, std::string message,
          scenario::Diagnostic* out_error) {
  out_error->file = s.file;
  out_error->line = pos.line;
  out_error->col = pos.col;
  out_error->message = std::move(message);
  out_error->source_line = scenario::SourceLine(source, pos.line);
  return false;
}

}  // namespace

Connection* World::Find(const std::string& name) {
  for (const auto& c : connections) {
    if (c->name == name) return c.get();
  }
  return nullptr;
}

bool OpenConnection(World* world, const std::string& name,
                    std::string* out_error) {
  auto c = std::make_unique<Connection>();
  c->name = name;
  for (wire::Side side : {wire::Side::kClient, wire::Side::kServer}) {
    size_t i = static_cast<size_t>(side);
    Endpoint& e = c->endpoint(side);
    e.side = side;
    e.handshake_call = side == wire::Side::kServer ? scenario::Call::kAccept
                                                   : scenario::Call::kConnect;
    tls::ConfigError error;
    e.ssl = tls::MakeSsl(world->contexts[i].get(), world->configs[i], &error);
    if (!e.ssl) {
      *out_error = error.field + ": " + error.message;
      return false;
    }
    // Certificates are checked against the scenario clock, not the wall.
    X509_VERIFY_PARAM_set_time(SSL_get0_param(e.ssl.get()),
                               static_cast<time_t>(world->clock));
    e.link = std::make_unique<wire::Link>(world->buffer_sizes[i],
                                          world->recv_buffer_sizes[i],
                                          world->socket_bios);
    if (!e.link->ok()) {
      *out_error = "cannot create a BIO pair";
      return false;
    }
    SSL_set_bio(e.ssl.get(), e.link->ssl_bio(), e.link->ssl_bio());
    e.link->ReleaseSslBio();  // the SSL owns it now
    e.log = std::make_unique<CallLog>();
    SSL_set_msg_callback(e.ssl.get(), OnMessage);
    SSL_set_msg_callback_arg(e.ssl.get(), e.log.get());
  }
  c->wire =
      std::make_unique<wire::Wire>(c->endpoint(wire::Side::kClient).link.get(),
                                   c->endpoint(wire::Side::kServer).link.get());
  for (wire::Side side : {wire::Side::kClient, wire::Side::kServer}) {
    c->wire->SetCapacity(side, world->capacities[static_cast<size_t>(side)]);
  }
  world->connections.push_back(std::move(c));
  return true;
}

bool ApplySetting(World* world, const scenario::SetStep& step,
                  std::string* out_error) {
  const bool server = step.side == scenario::Side::kServer;
  tls::EndpointConfig config = ToConfig(step.settings, server);
  for (const scenario::SettingRow& row : scenario::Settings()) {
    if (!scenario::SettingPos(step.settings, row)) continue;
    SSL* ssl = world->current()
                   .endpoint(server ? wire::Side::kServer : wire::Side::kClient)
                   .ssl.get();
    tls::ConfigError error;
    if (!tls::ApplyToSsl(ssl, row.name, config, world->pki, &error)) {
      *out_error = error.field + ": " + error.message;
      ERR_clear_error();
      return false;
    }
  }
  return true;
}

bool BuildWorld(const scenario::Scenario& s, std::string_view source,
                World* out, scenario::Diagnostic* out_error) {
  // What a World is built for is what runs: steps, not `if` blocks still to
  // decide (Session resolves them first).
  if (scenario::HasBlocks(s)) {
    return Fail(s, source, {},
                "its 'if openssl' blocks are not resolved for a series "
                "(scenario::ForSeries)",
                out_error);
  }
  out->clock = s.clock.value_or(kDefaultClock);
  out->libctx = tls::NewLibCtx();
  if (!out->libctx) {
    return Fail(s, source, {}, "cannot create an OpenSSL library context",
                out_error);
  }
  if (s.seed) {
    std::string error;
    if (!tls::UseSeededRandom(out->libctx.get(), *s.seed, &error)) {
      return Fail(s, source, {}, "seed: " + error, out_error);
    }
  }

  std::vector<tls::CertSpec> specs;
  for (const scenario::CertDecl& c : s.pki) {
    tls::CertSpec spec;
    spec.name = c.name;
    spec.is_ca = c.is_ca;
    if (c.issuer) spec.issuer = c.issuer->value;
    spec.key = c.key;
    spec.dns = c.dns;
    spec.not_before = c.not_before ? c.not_before->value : out->clock - kDay;
    spec.not_after = c.not_after ? c.not_after->value : out->clock + 365 * kDay;
    spec.no_san = c.no_san;
    spec.compressed_point = c.compressed_point;
    spec.permitted_dns = c.permit;
    spec.excluded_dns = c.exclude;
    specs.push_back(std::move(spec));
  }
  std::string pki_error;
  if (!out->pki.Build(out->libctx.get(), specs, &pki_error, s.seed)) {
    scenario::Pos pos = s.pki.empty() ? scenario::Pos{} : s.pki.front().pos;
    return Fail(s, source, pos, pki_error, out_error);
  }

  // The server contexts the name callback switches to, before the server's.
  std::map<std::string, SSL_CTX*> by_name;
  for (const scenario::ContextDecl& context : s.contexts) {
    tls::EndpointConfig config = ToConfig(context.settings, true);
    if (out->record_keylog) {
      config.keylog = [out](const SSL*, const char* line) {
        out->keylog.Add(line);
      };
    }
    config.session_time = out->clock;
    // A connection's own server ALPN list is read by whichever context's
    // callback runs.
    config.alpn_per_connection = ServerSetsAlpn(s);
    tls::ConfigError error;
    tls::SslCtxPtr ctx =
        tls::MakeContext(out->libctx.get(), config, out->pki, &error);
    if (!ctx) {
      return Fail(s, source, SettingPos(context.settings, error.field),
                  "server context " + context.name + " " + error.field + ": " +
                      error.message + OnThisVersion(),
                  out_error);
    }
    by_name[context.name] = ctx.get();
    out->server_contexts.push_back(std::move(ctx));
  }
  for (wire::Side side : {wire::Side::kClient, wire::Side::kServer}) {
    bool server = side == wire::Side::kServer;
    size_t i = static_cast<size_t>(side);
    const scenario::EndpointDecl& decl = server ? s.server : s.client;
    out->configs[i] = ToConfig(decl, server);
    if (out->record_keylog) {
      out->configs[i].keylog = [out](const SSL*, const char* line) {
        out->keylog.Add(line);
      };
    }
    // Tickets carry the scenario clock, not the wall clock's.
    if (server) out->configs[i].session_time = out->clock;
    if (server && decl.contexts) {
      for (const auto& [host, name] : decl.contexts->value) {
        out->configs[i].sni_contexts[host] = by_name[name];
      }
    }
    if (server && decl.hello_contexts) {
      for (const auto& [host, name] : decl.hello_contexts->value) {
        out->configs[i].hello_contexts[host] = by_name[name];
      }
    }
    if (server) out->configs[i].alpn_per_connection = ServerSetsAlpn(s);
    out->buffer_sizes[i] =
        decl.buffer ? static_cast<size_t>(decl.buffer->value) : 0;
    // `buffer` sets both ways; send_buffer and recv_buffer each one, over it.
    out->recv_buffer_sizes[i] = out->buffer_sizes[i];
    if (decl.send_buffer) {
      out->buffer_sizes[i] = static_cast<size_t>(decl.send_buffer->value);
    }
    if (decl.recv_buffer) {
      out->recv_buffer_sizes[i] = static_cast<size_t>(decl.recv_buffer->value);
    }
    if (decl.network_capacity) {
      out->capacities[i] = static_cast<size_t>(decl.network_capacity->value);
    }
    out->show_transport = out->show_transport || decl.send_buffer ||
                          decl.recv_buffer || decl.network_capacity;
    tls::ConfigError error;
    out->contexts[i] =
        tls::MakeContext(out->libctx.get(), out->configs[i], out->pki, &error);
    // A per-connection setting OpenSSL refuses shows when the SSL is made.
    tls::SslPtr probe;
    if (out->contexts[i]) {
      probe = tls::MakeSsl(out->contexts[i].get(), out->configs[i], &error);
    }
    if (!probe) {
      return Fail(s, source, SettingPos(decl, error.field),
                  (server ? "server " : "client ") + error.field + ": " +
                      error.message + OnThisVersion(),
                  out_error);
    }
  }
  out->socket_bios =
      out->socket_bios ||
      std::any_of(s.steps.begin(), s.steps.end(),
                  [](const scenario::Step& step) {
                    const auto* close = std::get_if<scenario::CloseStep>(&step);
                    return close != nullptr && close->reset;
                  }) ||
      std::any_of(s.programs.begin(), s.programs.end(),
                  [](const scenario::ProgramDecl& p) { return p.blocking; });
  std::string error;
  if (!OpenConnection(out, "main", &error)) {
    return Fail(s, source, {}, error, out_error);
  }
  ERR_clear_error();
  return true;
}

}  // namespace tlsim::run
