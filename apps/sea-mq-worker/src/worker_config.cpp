#include "worker_config.hpp"

#include <fmt/core.h>

namespace sea::worker {
namespace {

using sea::apps::ConfigError;

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

bool startsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

void validateNatsUrl(const std::string& url) {
    if (!startsWith(url, "nats://") || url.size() == 7 || url.find(' ') != std::string::npos) {
        throw ConfigError(fmt::format("NATS_URL: each entry must look like nats://host:port, got \"{}\"", url));
    }
}

void validateStreamName(const std::string& name) {
    if (name.empty() || name.find_first_of(" \t.*>/\\") != std::string::npos) {
        throw ConfigError(fmt::format(
            "OUTBOX_STREAM: must be a non-empty JetStream stream name without spaces, '.', '*', '>', '/', got \"{}\"",
            name));
    }
}

void validateSubject(const std::string& subject) {
    bool ok = !subject.empty() && subject.find_first_of(" \t") == std::string::npos && subject.front() != '.' &&
              subject.back() != '.' && subject.find("..") == std::string::npos;
    const auto gt = subject.find('>');
    if (gt != std::string::npos && gt != subject.size() - 1) ok = false;
    if (!ok) throw ConfigError(fmt::format("OUTBOX_SUBJECTS: invalid NATS subject \"{}\"", subject));
}

}  // namespace

std::vector<std::string> splitList(const std::string& variable, const std::string& text) {
    std::vector<std::string> items;
    std::size_t start = 0;
    while (true) {
        const auto comma = text.find(',', start);
        const auto item = trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (item.empty()) throw ConfigError(fmt::format("{}: empty item in list \"{}\"", variable, text));
        items.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return items;
}

WorkerConfig loadWorkerConfig(const sea::apps::EnvLookup& env) {
    WorkerConfig config;
    const auto url = env("DATABASE_URL");
    if (!url || url->empty()) {
        throw ConfigError("DATABASE_URL: required, e.g. postgresql://user:password@127.0.0.1:5432/sea");
    }
    if (!startsWith(*url, "postgresql://") && !startsWith(*url, "postgres://")) {
        throw ConfigError(fmt::format("DATABASE_URL: must start with postgresql:// or postgres://, got \"{}\"", *url));
    }
    config.databaseUrl = *url;

    config.natsServers = splitList("NATS_URL", sea::apps::envOr(env, "NATS_URL", "nats://127.0.0.1:4222"));
    for (const auto& server : config.natsServers) validateNatsUrl(server);

    config.stream = sea::apps::envOr(env, "OUTBOX_STREAM", config.stream);
    validateStreamName(config.stream);

    config.subjects = splitList("OUTBOX_SUBJECTS", sea::apps::envOr(env, "OUTBOX_SUBJECTS", "sea.outbox.>"));
    for (const auto& subject : config.subjects) validateSubject(subject);

    config.batchSize = static_cast<int>(sea::apps::envIntInRange(env, "OUTBOX_BATCH_SIZE", 100, 1, 10000));
    config.pollInterval =
        std::chrono::milliseconds(sea::apps::envIntInRange(env, "OUTBOX_POLL_INTERVAL_MS", 200, 10, 60000));
    config.httpPort = sea::apps::envPort(env, "WORKER_HTTP_PORT", 9090, /*allowZero=*/true);
    config.duplicatesWindow = std::chrono::seconds(sea::apps::envIntInRange(
        env, "WORKER_DUPLICATES_WINDOW_S", kDefaultDuplicatesWindow.count(), 1, kMaxDuplicatesWindowS));
    return config;
}

}  // namespace sea::worker
