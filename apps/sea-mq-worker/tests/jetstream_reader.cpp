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

}  // namespace sea::worker::testing
