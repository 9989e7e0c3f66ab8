#include "lib/run/call.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <string>

#include "lib/proto/names.h"
#include "lib/tls/compat.h"
#include "lib/wire/socket_bio.h"

namespace tlsim::run {
namespace {

using scenario::Call;

// What an application's own failed call leaves on the queue: a library
// error ("internal error"), or a system error (ENOENT, as from fopen),
// which SSL_get_error reports as SYSCALL.
void RaiseError(bool system) {
  if (system) {
    tls::RaiseError(ERR_LIB_SYS, ENOENT);
  } else {
    tls::RaiseError(ERR_LIB_USER, ERR_R_INTERNAL_ERROR);
  }
}

}  // namespace

bool IsRetryError(int error) {
  switch (error) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
    case SSL_ERROR_WANT_X509_LOOKUP:
    case SSL_ERROR_WANT_CLIENT_HELLO_CB:
#ifdef SSL_ERROR_WANT_RETRY_VERIFY
    case SSL_ERROR_WANT_RETRY_VERIFY:
#endif
    case SSL_ERROR_WANT_ASYNC:
      return true;
    default:
      return false;
  }
}

trace::InFlight Caller::InFlight() const {
  const wire::Wire& w = *world_.current().wire;
  return {w.InFlight(wire::Side::kClient), w.InFlight(wire::Side::kServer)};
}

trace::Transport Caller::Transport() const {
  trace::Transport t;
  if (!world_.show_transport) return t;
  const wire::Wire& w = *world_.current().wire;
  t.shown = true;
  for (wire::Side side : {wire::Side::kClient, wire::Side::kServer}) {
    size_t i = static_cast<size_t>(side);
    t.held[i] = w.Held(side);
    t.unread[i] = w.Unread(side);
  }
  return t;
}

bool Caller::ClearsErrors(wire::Side side) const {
  const scenario::EndpointDecl& decl =
      side == wire::Side::kClient ? scenario_.client : scenario_.server;
  return !decl.clear_errors || decl.clear_errors->value;
}

void Caller::Make(wire::Side side, Call call, const scenario::CallStep& step,
                  trace::CallEvent* out_event) {
  if (world_.tapes.any()) [[unlikely]] {
    MakeTaped(side, call, step, out_event);
    return;
  }
  CallOpenSsl(side, call, step, out_event);
  Collected(out_event);
}

void Caller::MakeTaped(wire::Side side, Call call,
                       const scenario::CallStep& step,
                       trace::CallEvent* out_event) {
  const size_t i = static_cast<size_t>(side);
  TapeDeck& deck = world_.tapes;
  if (deck.playing[i] != nullptr) {
    Play(side, call, step, out_event);
    Collected(out_event);
    return;
  }
  TapedCall* taped = nullptr;
  if (deck.recording[i] != nullptr) {
    Tape& tape = *deck.recording[i];
    taped = &tape.calls.emplace_back(Found(side, call, step));
    if (!taped->positioned && tape.why_not.empty()) {
      tape.why_not = "the random stream is not seeded";
    }
    if (!ClearsErrors(side) && tape.why_not.empty()) {
      tape.why_not =
          "its calls keep OpenSSL's error queue (clear_errors = off)";
    }
    if (world_.current().endpoint(side).link->socket() != nullptr &&
        tape.why_not.empty()) {
      tape.why_not = "it has a socket BIO";
    }
  }
  CallOpenSsl(side, call, step, out_event);
  if (taped != nullptr) Taped(side, *out_event, taped);
  Collected(out_event);
}

[[gnu::always_inline]] inline void Caller::CallOpenSsl(
    wire::Side side, Call call, const scenario::CallStep& step,
    trace::CallEvent* out_event) {
  trace::CallEvent& ev = *out_event;
  Endpoint& e = world_.current().endpoint(side);
  SSL* ssl = e.ssl.get();
  e.log->Clear();
  // OpenSSL's error queue is emptied after every call; only something
  // else (an observer, an expectation, the caller between steps) may have
  // left an error there, and looking costs as much as a small call. With
  // `clear_errors = off` the side's calls leave the queue as they find it,
  // and raise_error adds to it.
  const bool clears = ClearsErrors(side) && call != Call::kRaiseError;
  if (clears && !*error_queue_clean_ && ERR_peek_error() != 0) {
    ERR_clear_error();
  }
  ev.side = side;
  wire::SocketState* socket = e.link->socket();
  if (socket != nullptr) socket->failed_errno = 0;
  int ret = 0;
  switch (call) {
    case Call::kConnect:
      ret = SSL_connect(ssl);
      e.handshake_call = Call::kConnect;
      break;
    case Call::kAccept:
      ret = SSL_accept(ssl);
      e.handshake_call = Call::kAccept;
      break;
    case Call::kDoHandshake:
      ret = SSL_do_handshake(ssl);
      e.handshake_call = Call::kDoHandshake;
      break;
    case Call::kSetConnectState:
      SSL_set_connect_state(ssl);
      e.handshake_call = Call::kDoHandshake;
      ev.returns = false;
      break;
    case Call::kSetAcceptState:
      SSL_set_accept_state(ssl);
      e.handshake_call = Call::kDoHandshake;
      ev.returns = false;
      break;
    case Call::kRead: {
      std::string buf(static_cast<size_t>(step.read_len), '\0');
      ret = SSL_read(ssl, buf.data(), static_cast<int>(buf.size()));
      if (ret > 0) ev.data = buf.substr(0, static_cast<size_t>(ret));
      break;
    }
    case Call::kWrite: {
      const std::string& buffer =
          e.WriteBuffer(step.write_data, step.moved_buffer);
      ret = SSL_write(ssl, buffer.data(), static_cast<int>(buffer.size()));
      break;
    }
    case Call::kShutdown:
      ret = SSL_shutdown(ssl);
      break;
    case Call::kPeek: {
      std::string buf(static_cast<size_t>(step.read_len), '\0');
      ret = SSL_peek(ssl, buf.data(), static_cast<int>(buf.size()));
      if (ret > 0) ev.data = buf.substr(0, static_cast<size_t>(ret));
      break;
    }
    case Call::kPending:
      ret = SSL_pending(ssl);
      break;
    case Call::kWriteEarly: {
      size_t written = 0;
      const std::string& buffer =
          e.WriteBuffer(step.write_data, step.moved_buffer);
      ret = SSL_write_early_data(ssl, buffer.data(), buffer.size(), &written);
      break;
    }
    case Call::kReadEarly: {
      std::string buf(static_cast<size_t>(step.read_len), '\0');
      size_t read = 0;
      ret = SSL_read_early_data(ssl, buf.data(), buf.size(), &read);
      ev.data = buf.substr(0, read);
      break;
    }
    case Call::kKeyUpdate:
      ret = SSL_key_update(ssl, step.key_update_requested
                                    ? SSL_KEY_UPDATE_REQUESTED
                                    : SSL_KEY_UPDATE_NOT_REQUESTED);
      break;
    case Call::kRenegotiate:
      ret = SSL_renegotiate(ssl);
      break;
    case Call::kVerifyClientPostHandshake:
      ret = SSL_verify_client_post_handshake(ssl);
      break;
    case Call::kRaiseError:
      RaiseError(step.raise_system);
      ev.returns = false;
      break;
  }
  if (socket != nullptr) ev.sys_errno = socket->failed_errno;
  if (ev.returns) {
    ev.ret = ret;
    // SSL_pending returns a count, never an error: SSL_get_error would
    // misread its 0.
    ev.error =
        call == Call::kPending ? SSL_ERROR_NONE : SSL_get_error(ssl, ret);
  }
  // SSL_get_error has just found the queue empty when it answered
  // anything but SSL or SYSCALL for a call that failed.
  bool queue_seen_empty = ev.returns && call != Call::kPending && ret <= 0 &&
                          ev.error != SSL_ERROR_SSL &&
                          ev.error != SSL_ERROR_SYSCALL;
  if (!queue_seen_empty) {
    if (unsigned long code = ERR_peek_error(); code != 0) {
      ev.reason = code;
      if (clears) ERR_clear_error();
    }
  }
  *error_queue_clean_ = clears;
  ev.state = SSL_state_string_long(ssl);
  ev.verify_result = SSL_get_verify_result(ssl);
  ev.sent = std::move(e.log->sent);
  ev.received = std::move(e.log->received);
  ev.alerts_sent = std::move(e.log->alerts_sent);
  ev.alerts_received = std::move(e.log->alerts_received);
}

[[gnu::always_inline]] inline void Caller::Collected(
    trace::CallEvent* out_event) {
  trace::CallEvent& ev = *out_event;
  world_.current().wire->Collect();
  ev.in_flight = InFlight();
  ev.lost = world_.current().wire->collected_lost();
  if (world_.show_transport) ev.transport = Transport();
}

TapedCall Caller::Found(wire::Side side, Call call,
                        const scenario::CallStep& step) const {
  const wire::Wire& w = *world_.current().wire;
  const wire::Side peer = wire::Peer(side);
  TapedCall t;
  t.call = call;
  t.step = step;
  t.fed = w.delivered_total(peer);
  t.unread = w.Unread(peer);
  t.room = w.Room(side);
  t.written = w.sent_total(side) + w.Held(side);
  t.input_closed = w.closed(peer);
  t.input_reset = w.reset(peer);
  t.clock = world_.clock;
  t.positioned = tls::GetRandomPosition(world_.libctx.get(), &t.random_before);
  return t;
}

void Caller::Taped(wire::Side side, const trace::CallEvent& ev,
                   TapedCall* out) const {
  const wire::Wire& w = *world_.current().wire;
  const Endpoint& e = world_.current().endpoint(side);
  out->consumed = out->unread - w.Unread(wire::Peer(side));
  out->wrote = w.sent_total(side) + w.Held(side) - out->written;
  out->positioned =
      out->positioned &&
      tls::GetRandomPosition(world_.libctx.get(), &out->random_after);
  out->handshake_call = e.handshake_call;
  out->tickets_received = e.log->tickets_received;
  out->sni_received = e.log->sni_received;
  CopyResult(ev, &out->result);
}

void Caller::CopyResult(const trace::CallEvent& from, trace::CallEvent* to) {
  to->returns = from.returns;
  to->ret = from.ret;
  to->error = from.error;
  to->reason = from.reason;
  to->state = from.state;
  to->verify_result = from.verify_result;
  to->sent = from.sent;
  to->received = from.received;
  to->alerts_sent = from.alerts_sent;
  to->alerts_received = from.alerts_received;
  to->data = from.data;
  to->sys_errno = from.sys_errno;
}

void Caller::Play(wire::Side side, Call call, const scenario::CallStep& step,
                  trace::CallEvent* out_event) {
  const size_t i = static_cast<size_t>(side);
  TapeDeck& deck = world_.tapes;
  trace::CallEvent& ev = *out_event;
  ev.side = side;
  const size_t number = ++deck.next[i];  // 1-based
  auto diverge = [&](const std::string& why) {
    if (!deck.diverged) {
      deck.diverged = true;
      deck.why = fmt::format("call {} of the {}: {}", number,
                             proto::SideName(side), why);
    }
    deck.state[i] = kTapeDiverged;
    ev.returns = true;
    ev.ret = -1;
    ev.error = SSL_ERROR_SSL;
    ev.state = kTapeDiverged;
  };
  if (deck.diverged) return diverge("");
  const Tape& tape = *deck.playing[i];
  if (number > tape.calls.size()) {
    return diverge("the tape has no more calls");
  }
  const TapedCall& t = tape.calls[number - 1];
  const TapedCall now = Found(side, call, step);
  if (now.call != t.call || !(now.step == t.step)) {
    return diverge("another call");
  }
  if (now.fed != t.fed || now.unread != t.unread ||
      now.input_closed != t.input_closed || now.input_reset != t.input_reset) {
    return diverge(
        fmt::format("{} bytes delivered and {} unread, the tape {} and {}",
                    now.fed, now.unread, t.fed, t.unread));
  }
  if (now.room != t.room || now.written != t.written) {
    return diverge(
        fmt::format("room for {} bytes, the tape {}", now.room, t.room));
  }
  if (now.clock != t.clock || !now.positioned ||
      now.random_before != t.random_before) {
    return diverge("another clock or random position");
  }
  Endpoint& e = world_.current().endpoint(side);
  e.log->Clear();
  BIO* bio = e.link->ssl_bio();
  if (t.consumed > 0) {
    std::string bytes(t.consumed, '\0');
    const uint64_t at = t.fed - t.unread;
    if (BIO_read(bio, bytes.data(), static_cast<int>(bytes.size())) !=
            static_cast<int>(bytes.size()) ||
        at + bytes.size() > tape.input.size() ||
        tape.input.compare(at, bytes.size(), bytes) != 0) {
      return diverge("other bytes to read");
    }
  }
  if (t.wrote > 0) {
    if (t.written + t.wrote > tape.output.size() ||
        BIO_write(bio, tape.output.data() + t.written,
                  static_cast<int>(t.wrote)) != static_cast<int>(t.wrote)) {
      return diverge("no room for what it wrote");
    }
  }
  if (!tls::RewindRandom(world_.libctx.get(), t.random_after)) {
    return diverge("the random stream cannot move on");
  }
  e.handshake_call = t.handshake_call;
  e.log->tickets_received = t.tickets_received;
  e.log->sni_received = t.sni_received;
  CopyResult(t.result, &ev);
  deck.state[i] = t.result.state;
  *error_queue_clean_ = true;
}

const char* Caller::State(wire::Side side) const {
  const size_t i = static_cast<size_t>(side);
  const TapeDeck& deck = world_.tapes;
  if (deck.playing[i] != nullptr && deck.state[i] != nullptr) {
    return deck.state[i];
  }
  return SSL_state_string_long(world_.current().endpoint(side).ssl.get());
}

}  // namespace tlsim::run
