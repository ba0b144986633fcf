// Stack pieces that need no docker: project naming and constructor validation.
#include "sea/fixtures/stack.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

using namespace sea::fixtures;

TEST(FixturesStackName, PrefixIsSanitised) {
    EXPECT_EQ(sanitize_project_prefix("Sea-Chaos_Stack.Test 1"), "seachaosstacktest1");
    EXPECT_EQ(sanitize_project_prefix("---"), "");
}

TEST(FixturesStackName, ProjectNamesAreShortSafeAndUnique) {
    std::set<std::string> names;
    for (int i = 0; i < 50; ++i) {
        const auto name = make_project_name("A very long Prefix that would never fit into forty characters!");
        EXPECT_LE(name.size(), 40u) << name;
        EXPECT_TRUE(std::regex_match(name, std::regex("[a-z0-9]+"))) << name;
        EXPECT_NE(name.find(std::to_string(::getpid())), std::string::npos) << name;
        names.insert(name);
    }
    EXPECT_GE(names.size(), 49u);  // random suffix (24 bits): a collision in 50 draws is ~1e-4
    EXPECT_EQ(make_project_name("").rfind("seachaos", 0), 0u);
}

TEST(FixturesStackName, ConstructorRejectsBadComposeFiles) {
    EXPECT_THROW(Stack(StackOptions{}), StackError);
    StackOptions relative;
    relative.compose_files = {"tests/stack/compose/x.yml"};
    try {
        Stack stack(relative);
        FAIL() << "expected StackError";
    } catch (const StackError& e) {
        EXPECT_NE(std::string(e.what()).find("not an absolute path"), std::string::npos) << e.what();
    }
    StackOptions missing;
    missing.compose_files = {"/nonexistent/compose.yml"};
    try {
        Stack stack(missing);
        FAIL() << "expected StackError";
    } catch (const StackError& e) {
        EXPECT_NE(std::string(e.what()).find("'/nonexistent/compose.yml' does not exist"), std::string::npos) << e.what();
    }
}
