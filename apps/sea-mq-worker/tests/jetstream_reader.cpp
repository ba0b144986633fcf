#include "jetstream_reader.hpp"

#include <nats/nats.h>

#include <stdexcept>
#include <string>

namespace sea::worker::testing {

StreamContents readStream(const std::string& natsUrl, const std::string& stream) {
    natsConnection* nc = nullptr;
    if (natsConnection_ConnectTo(&nc, natsUrl.c_str()) != NATS_OK) throw std::runtime_error("connect " + natsUrl);
    jsCtx* js = nullptr;
    StreamContents contents;
    std::string error;
    if (natsConnection_JetStream(&js, nc, nullptr) == NATS_OK) {
        jsStreamInfo* info = nullptr;
        jsErrCode code = jsErrCode(0);
        if (js_GetStreamInfo(&info, js, stream.c_str(), nullptr, &code) == NATS_OK) {
            contents.messages = info->State.Msgs;
            const auto first = info->State.FirstSeq;
            const auto last = info->State.LastSeq;
            jsStreamInfo_Destroy(info);
            for (auto seq = first; seq <= last && contents.messages > 0 && error.empty(); ++seq) {
                natsMsg* msg = nullptr;
                if (js_GetMsg(&msg, js, stream.c_str(), seq, nullptr, &code) != NATS_OK) {
                    error = "get message " + std::to_string(seq);
                    break;
                }
                const char* id = nullptr;
                contents.msgIds.emplace_back(natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK ? id : "");
                contents.storedNs.push_back(natsMsg_GetTime(msg));
                natsMsg_Destroy(msg);
            }
        } else {
            error = "stream info " + stream;
        }
        jsCtx_Destroy(js);
    } else {
        error = "jetstream context";
    }
    natsConnection_Destroy(nc);
    if (!error.empty()) throw std::runtime_error(error);
    return contents;
}

namespace {

// One connection + JetStream context for the duration of `body(js)`; throws std::runtime_error.
template <typename Body>
void withJetStream(const std::string& natsUrl, Body&& body) {
    natsConnection* nc = nullptr;
    if (natsConnection_ConnectTo(&nc, natsUrl.c_str()) != NATS_OK) throw std::runtime_error("connect " + natsUrl);
    jsCtx* js = nullptr;
    if (natsConnection_JetStream(&js, nc, nullptr) != NATS_OK) {
        natsConnection_Destroy(nc);
        throw std::runtime_error("jetstream context");
    }
    std::string error;
    try {
        body(js);
    } catch (const std::exception& e) {
        error = e.what();
    }
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    if (!error.empty()) throw std::runtime_error(error);
}

std::string failure(const std::string& what, natsStatus status, jsErrCode code) {
    return what + ": " + natsStatus_GetText(status) + " (jetstream error " + std::to_string(static_cast<int>(code)) +
           ")";
}

}  // namespace

StreamSettings readStreamSettings(const std::string& natsUrl, const std::string& stream) {
    StreamSettings settings;
    withJetStream(natsUrl, [&](jsCtx* js) {
        jsStreamInfo* info = nullptr;
        jsErrCode code = jsErrCode(0);
        const natsStatus status = js_GetStreamInfo(&info, js, stream.c_str(), nullptr, &code);
        if (status != NATS_OK) throw std::runtime_error(failure("stream info " + stream, status, code));
        const jsStreamConfig& config = *info->Config;
        settings.duplicates = std::chrono::nanoseconds(config.Duplicates);
        settings.maxAge = std::chrono::nanoseconds(config.MaxAge);
        settings.maxMsgs = config.MaxMsgs;
        for (int i = 0; i < config.SubjectsLen; ++i) settings.subjects.emplace_back(config.Subjects[i]);
        jsStreamInfo_Destroy(info);
    });
    return settings;
}

void createStream(const std::string& natsUrl, const std::string& stream, const std::vector<std::string>& subjects,
                  std::chrono::nanoseconds duplicates, std::int64_t maxMsgs, std::chrono::nanoseconds maxAge) {
    withJetStream(natsUrl, [&](jsCtx* js) {
        jsStreamConfig config;
        jsStreamConfig_Init(&config);
        std::vector<const char*> names;
        for (const auto& subject : subjects) names.push_back(subject.c_str());
        config.Name = stream.c_str();
        config.Subjects = names.data();
        config.SubjectsLen = static_cast<int>(names.size());
        config.Storage = js_FileStorage;
        config.Duplicates = duplicates.count();
        config.MaxMsgs = maxMsgs;
        config.MaxAge = maxAge.count();
        jsErrCode code = jsErrCode(0);
        const natsStatus status = js_AddStream(nullptr, js, &config, nullptr, &code);
        if (status != NATS_OK) throw std::runtime_error(failure("add stream " + stream, status, code));
    });
}

bool publishWithMsgId(const std::string& natsUrl, const std::string& subject, const std::string& msgId,
                      const std::string& payload) {
    bool duplicate = false;
    withJetStream(natsUrl, [&](jsCtx* js) {
        natsMsg* msg = nullptr;
        if (natsMsg_Create(&msg, subject.c_str(), nullptr, payload.data(), static_cast<int>(payload.size())) !=
            NATS_OK) {
            throw std::runtime_error("create message");
        }
        natsMsgHeader_Set(msg, "Nats-Msg-Id", msgId.c_str());
        jsPubAck* ack = nullptr;
        jsErrCode code = jsErrCode(0);
        const natsStatus status = js_PublishMsg(&ack, js, msg, nullptr, &code);
        natsMsg_Destroy(msg);
        if (status != NATS_OK) throw std::runtime_error(failure("publish " + msgId, status, code));
        duplicate = ack->Duplicate;
        jsPubAck_Destroy(ack);
    });
    return duplicate;
}

}  // namespace sea::worker::testing
