// cnats implementation of the JetStream probe client (see sea/probes/jetstream_probe.hpp).
#include "sea/probes/jetstream_probe.hpp"
#include "elapsed.hpp"

#include <nats/nats.h>

#include <algorithm>
#include <cstring>

#include <fmt/core.h>

namespace sea::probes {
namespace {

using detail::Clock;
using detail::since;

// Status text plus cnats' thread-local last error (which carries the server's description).
std::string describe(natsStatus status, jsErrCode code = static_cast<jsErrCode>(0)) {
  natsStatus last_status = NATS_OK;
  const char* last = nats_GetLastError(&last_status);
  std::string text = natsStatus_GetText(status);
  if (last != nullptr && *last != '\0' && text != last) text += fmt::format(" ({})", last);
  if (code != 0) text += fmt::format(" [err_code {}]", static_cast<int>(code));
  return text;
}

std::vector<std::string> split_urls(const std::string& urls) {
  std::vector<std::string> out;
  for (size_t begin = 0; begin <= urls.size();) {
    const auto end = std::min(urls.find(',', begin), urls.size());
    if (end > begin) out.push_back(urls.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

}  // namespace

struct JetStreamClient::Impl {
  natsConnection* conn = nullptr;
  jsCtx* js = nullptr;
  std::string domain;  // storage for jsOptions.Domain
  bool has_domain = false;

  ~Impl() {
    if (js != nullptr) jsCtx_Destroy(js);
    if (conn != nullptr) natsConnection_Destroy(conn);
  }

  // Per-call options: the timeout and the domain (Domain only, never Prefix).
  jsOptions options(std::chrono::milliseconds timeout) const {
    jsOptions o;
    jsOptions_Init(&o);
    o.Wait = timeout.count();
    if (has_domain) o.Domain = domain.c_str();
    return o;
  }
};

JetStreamClient::JetStreamClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JetStreamClient::JetStreamClient(JetStreamClient&&) noexcept = default;
JetStreamClient& JetStreamClient::operator=(JetStreamClient&&) noexcept = default;
JetStreamClient::~JetStreamClient() = default;

JetStreamConnectResult JetStreamClient::connect(const std::string& urls, std::chrono::milliseconds timeout,
                                                const JetStreamClientOptions& options) {
  const auto start = Clock::now();
  JetStreamConnectResult result;
  auto fail = [&](std::string error) {
    result.error = std::move(error);
    result.latency = since(start);
    return std::move(result);
  };
  const auto servers = split_urls(urls);
  if (servers.empty()) return fail(fmt::format("bad url '{}': no server given", urls));
  if (timeout.count() <= 0) return fail(fmt::format("timeout must be positive, got {} ms", timeout.count()));
  natsOptions* opts = nullptr;
  if (auto s = natsOptions_Create(&opts); s != NATS_OK) return fail(describe(s));
  std::unique_ptr<natsOptions, decltype(&natsOptions_Destroy)> opts_guard(opts, &natsOptions_Destroy);
  std::vector<const char*> pointers;
  for (const auto& s : servers) pointers.push_back(s.c_str());
  if (auto s = natsOptions_SetServers(opts, pointers.data(), static_cast<int>(pointers.size())); s != NATS_OK) {
    return fail(fmt::format("bad url '{}': {}", urls, describe(s)));
  }
  natsOptions_SetTimeout(opts, timeout.count());
  natsOptions_SetName(opts, options.connection_name.c_str());
  // cnats reads a negative maximum as "no limit" (its server pool keeps a server while maxReconnect < 0).
  natsOptions_SetAllowReconnect(opts, options.max_reconnect != 0);
  natsOptions_SetMaxReconnect(opts, options.max_reconnect);
  natsOptions_SetReconnectWait(opts, options.reconnect_wait.count());
  auto impl = std::make_unique<Impl>();
  if (auto s = natsConnection_Connect(&impl->conn, opts); s != NATS_OK) {
    impl->conn = nullptr;
    return fail(fmt::format("connect {}: {}", urls, describe(s)));
  }
  if (options.domain) {
    impl->domain = *options.domain;
    impl->has_domain = true;
  }
  jsOptions js_opts = impl->options(timeout);
  if (auto s = natsConnection_JetStream(&impl->js, impl->conn, &js_opts); s != NATS_OK) {
    impl->js = nullptr;
    return fail(fmt::format("jetstream context: {}", describe(s)));
  }
  result.client.emplace(JetStreamClient(std::move(impl)));
  result.latency = since(start);
  return result;
}

bool JetStreamClient::connected() const {
  return impl_ && impl_->conn != nullptr && natsConnection_Status(impl_->conn) == NATS_CONN_STATUS_CONNECTED;
}

StreamInfoResult JetStreamClient::stream_info(const std::string& stream, std::chrono::milliseconds timeout) const {
  const auto start = Clock::now();
  StreamInfoResult result;
  jsOptions o = impl_->options(timeout);
  jsStreamInfo* si = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetStreamInfo(&si, impl_->js, stream.c_str(), &o, &code);
  if (s == NATS_OK && si != nullptr) {
    result.ok = true;
    result.messages = si->State.Msgs;
    result.first_seq = si->State.FirstSeq;
    result.last_seq = si->State.LastSeq;
    if (si->Mirror != nullptr) result.mirror_lag = si->Mirror->Lag;
    jsStreamInfo_Destroy(si);
  } else {
    result.error = fmt::format("stream info {}: {}", stream, describe(s, code));
    result.err_code = static_cast<int>(code);
  }
  result.latency = since(start);
  return result;
}

StreamConfigResult JetStreamClient::stream_config(const std::string& stream, std::chrono::milliseconds timeout) const {
  StreamConfigResult result;
  jsOptions o = impl_->options(timeout);
  jsStreamInfo* si = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetStreamInfo(&si, impl_->js, stream.c_str(), &o, &code);
  if (s != NATS_OK || si == nullptr || si->Config == nullptr) {
    if (si != nullptr) jsStreamInfo_Destroy(si);
    result.error = fmt::format("stream info {}: {}", stream, describe(s, code));
    result.err_code = static_cast<int>(code);
    return result;
  }
  const jsStreamConfig& c = *si->Config;
  StreamConfig& out = result.config;
  out.name = c.Name != nullptr ? c.Name : "";
  for (int i = 0; i < c.SubjectsLen; ++i) out.subjects.emplace_back(c.Subjects[i]);
  out.duplicates_window = std::chrono::nanoseconds(c.Duplicates);
  out.max_msgs = c.MaxMsgs;
  out.max_bytes = c.MaxBytes;
  out.storage = c.Storage == js_MemoryStorage ? StreamStorage::memory : StreamStorage::file;
  out.replicas = static_cast<int>(c.Replicas);
  out.max_age = std::chrono::nanoseconds(c.MaxAge);
  out.max_msgs_per_subject = c.MaxMsgsPerSubject;
  out.max_msg_size = c.MaxMsgSize;
  out.retention = c.Retention == js_InterestPolicy    ? StreamRetention::interest
                  : c.Retention == js_WorkQueuePolicy ? StreamRetention::workqueue
                                                      : StreamRetention::limits;
  out.discard = c.Discard == js_DiscardNew ? StreamDiscard::new_messages : StreamDiscard::old_messages;
  if (c.Placement != nullptr) {
    for (int i = 0; i < c.Placement->TagsLen; ++i) out.placement_tags.emplace_back(c.Placement->Tags[i]);
  }
  if (c.Mirror != nullptr) {
    StreamMirror mirror;
    mirror.source_name = c.Mirror->Name != nullptr ? c.Mirror->Name : "";
    if (c.Mirror->External != nullptr && c.Mirror->External->APIPrefix != nullptr) {
      mirror.external_api_prefix = c.Mirror->External->APIPrefix;
    }
    out.mirror = mirror;
  }
  jsStreamInfo_Destroy(si);
  result.ok = true;
  return result;
}

PublishResult JetStreamClient::publish(const std::string& subject, const std::string& data, const std::string& msg_id,
                                       std::chrono::milliseconds timeout) const {
  const auto start = Clock::now();
  PublishResult result;
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = timeout.count();
  if (!msg_id.empty()) po.MsgId = msg_id.c_str();
  jsPubAck* ack = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  const natsStatus s = js_Publish(&ack, impl_->js, subject.c_str(), data.data(), static_cast<int>(data.size()), &po, &code);
  if (s == NATS_OK && ack != nullptr) {
    result.acked = true;
    result.seq = ack->Sequence;
    result.duplicate = ack->Duplicate;
    result.stream = ack->Stream != nullptr ? ack->Stream : "";
    jsPubAck_Destroy(ack);
  } else {
    result.error = fmt::format("publish {}: {}", subject, describe(s, code));
    result.err_code = static_cast<int>(code);
  }
  result.latency = since(start);
  return result;
}

ReadResult JetStreamClient::read_ids(const std::string& stream, uint64_t from_seq, uint64_t to_seq,
                                     std::chrono::milliseconds timeout, std::size_t max_messages) const {
  const auto start = Clock::now();
  const auto deadline = start + timeout;
  ReadResult result;
  auto left = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  };
  if (to_seq == 0) {
    const auto info = stream_info(stream, timeout);
    if (!info.ok) {
      result.error = info.error;
      result.err_code = info.err_code;
      result.latency = since(start);
      return result;
    }
    to_seq = info.last_seq;
  }
  result.ok = true;
  for (uint64_t seq = std::max<uint64_t>(from_seq, 1); seq <= to_seq && result.messages.size() < max_messages; ++seq) {
    if (left().count() <= 0) {
      result.ok = false;
      result.error = fmt::format("read {}: timed out at seq {} of {}", stream, seq, to_seq);
      break;
    }
    jsOptions o = impl_->options(left());
    natsMsg* msg = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus s = js_GetMsg(&msg, impl_->js, stream.c_str(), seq, &o, &code);
    if (s != NATS_OK || msg == nullptr) {
      if (code == JSNoMessageFoundErr) continue;  // deleted or purged sequence
      result.ok = false;
      result.error = fmt::format("read {} seq {}: {}", stream, seq, describe(s, code));
      result.err_code = static_cast<int>(code);
      break;
    }
    StoredMessage stored;
    stored.seq = seq;
    const char* id = nullptr;
    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id != nullptr) stored.msg_id = id;
    stored.stored_unix_ns = natsMsg_GetTime(msg);
    if (const char* subj = natsMsg_GetSubject(msg); subj != nullptr) stored.subject = subj;
    if (const char* d = natsMsg_GetData(msg); d != nullptr) stored.data.assign(d, static_cast<size_t>(natsMsg_GetDataLength(msg)));
    natsMsg_Destroy(msg);
    result.messages.push_back(std::move(stored));
  }
  result.latency = since(start);
  return result;
}

JsOpResult JetStreamClient::ensure_stream(const StreamConfig& config, std::chrono::milliseconds timeout) const {
  const auto start = Clock::now();
  JsOpResult result;
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = config.name.c_str();
  std::vector<const char*> subjects;
  for (const auto& s : config.subjects) subjects.push_back(s.c_str());
  cfg.Subjects = subjects.empty() ? nullptr : subjects.data();
  cfg.SubjectsLen = static_cast<int>(subjects.size());
  cfg.Duplicates = config.duplicates_window.count();
  cfg.MaxMsgs = config.max_msgs;
  cfg.MaxBytes = config.max_bytes;
  cfg.Storage = config.storage == StreamStorage::memory ? js_MemoryStorage : js_FileStorage;
  cfg.Replicas = config.replicas;
  cfg.MaxAge = config.max_age.count();  // nanoseconds
  cfg.MaxMsgsPerSubject = config.max_msgs_per_subject;
  cfg.MaxMsgSize = config.max_msg_size;
  cfg.Retention = config.retention == StreamRetention::interest    ? js_InterestPolicy
                  : config.retention == StreamRetention::workqueue ? js_WorkQueuePolicy
                                                                   : js_LimitsPolicy;
  cfg.Discard = config.discard == StreamDiscard::new_messages ? js_DiscardNew : js_DiscardOld;
  jsPlacement placement;
  std::vector<const char*> tags;
  if (!config.placement_tags.empty()) {
    jsPlacement_Init(&placement);
    placement.Cluster = "";  // NULL segfaults js_AddStream in cnats 3.4.1 (it marshals the cluster unconditionally)
    for (const auto& t : config.placement_tags) tags.push_back(t.c_str());
    placement.Tags = tags.data();
    placement.TagsLen = static_cast<int>(tags.size());
    cfg.Placement = &placement;
  }
  jsStreamSource mirror;
  jsExternalStream external;
  if (config.mirror) {
    std::memset(&mirror, 0, sizeof(mirror));
    mirror.Name = config.mirror->source_name.c_str();
    if (!config.mirror->external_api_prefix.empty()) {
      external.APIPrefix = config.mirror->external_api_prefix.c_str();
      external.DeliverPrefix = "";  // NULL segfaults js_AddStream in cnats 3.4.1
      mirror.External = &external;
    }
    cfg.Mirror = &mirror;
  }
  jsOptions o = impl_->options(timeout);
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_AddStream(nullptr, impl_->js, &cfg, &o, &code);
  if (s != NATS_OK && code == JSStreamNameExistErr) {
    code = static_cast<jsErrCode>(0);
    s = js_UpdateStream(nullptr, impl_->js, &cfg, &o, &code);
  }
  result.ok = s == NATS_OK;
  if (!result.ok) {
    result.error = fmt::format("ensure stream {}: {}", config.name, describe(s, code));
    result.err_code = static_cast<int>(code);
  }
  result.latency = since(start);
  return result;
}

JsOpResult JetStreamClient::delete_stream(const std::string& stream, std::chrono::milliseconds timeout) const {
  const auto start = Clock::now();
  JsOpResult result;
  jsOptions o = impl_->options(timeout);
  jsErrCode code = static_cast<jsErrCode>(0);
  const natsStatus s = js_DeleteStream(impl_->js, stream.c_str(), &o, &code);
  result.ok = s == NATS_OK;
  if (!result.ok) {
    result.error = fmt::format("delete stream {}: {}", stream, describe(s, code));
    result.err_code = static_cast<int>(code);
  }
  result.latency = since(start);
  return result;
}

}  // namespace sea::probes
