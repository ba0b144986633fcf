// The per-stack work dir <temp>/sea-stack-<project>: the owner file is written before anything starts (so a stack
// killed before its first container is still attributed), and a constructor that fails removes its own work dir.
#include "sea/fixtures/process_owner.hpp"
#include "sea/fixtures/stack.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace {

using namespace sea::fixtures;

std::vector<std::filesystem::path> work_dirs_with(const std::string& prefix) {
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::temp_directory_path())) {
        if (entry.path().filename().string().starts_with("sea-stack-" + prefix)) found.push_back(entry.path());
    }
    return found;
}

class StackWorkDir : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("sea-workdir-test-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path compose_file(const std::string& text) {
        const auto file = dir_ / "docker-compose.yml";
        std::ofstream(file) << text;
        return file;
    }
    std::filesystem::path dir_;
};

TEST_F(StackWorkDir, OwnerFileNamesThisProcessBeforeUpAndTheDestructorRemovesTheDir) {
    StackOptions options;
    options.compose_files = {compose_file("services:\n  idle:\n    image: sea-chaos/debian:12\n    command: [\"sleep\", \"infinity\"]\n")};
    options.project_prefix = "seaworkdirok";
    std::filesystem::path work_dir;
    {
        const Stack stack(options);
        work_dir = stack.work_dir();
        EXPECT_EQ(work_dir, Stack::work_dir_of(stack.project_name()));
        std::ifstream in(work_dir / Stack::kOwnerFile);
        std::stringstream text;
        text << in.rdbuf();
        const auto doc = nlohmann::json::parse(text.str(), nullptr, false);
        ASSERT_TRUE(doc.is_object()) << text.str();
        EXPECT_EQ(ProcessOwner::parse(doc.value("owner", "")), ProcessOwner::self()) << text.str();
        EXPECT_EQ(doc.value("project", ""), stack.project_name());
        // Found and attributed to a live owner before any container exists: never a leftover.
        const auto projects = Stack::sea_chaos_projects();
        const auto it = std::find_if(projects.begin(), projects.end(), [&](const auto& p) { return p.project == stack.project_name(); });
        ASSERT_NE(it, projects.end());
        EXPECT_TRUE(it->owner_alive());
        const auto leftovers = Stack::leftover_projects(true);
        EXPECT_EQ(std::find(leftovers.begin(), leftovers.end(), stack.project_name()), leftovers.end());
    }
    EXPECT_FALSE(std::filesystem::exists(work_dir));
}

TEST_F(StackWorkDir, AConstructorThatFailsRemovesItsWorkDir) {
    StackOptions options;
    options.compose_files = {compose_file("services: [this is not a mapping\n")};
    options.project_prefix = "seaworkdirfail";
    EXPECT_THROW(Stack stack(options), StackError);
    EXPECT_TRUE(work_dirs_with("seaworkdirfail").empty());
}

}  // namespace
