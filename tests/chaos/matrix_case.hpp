// A fault matrix's case (one value-parameterised gtest case per scenario line naming the matrix, scenarios.txt):
// any struct whose `const char* name` is the scenario name (the ctest label). Its gtest names and printing:
//   matrix_case_name{}   the name generator of INSTANTIATE_TEST_SUITE_P: Matrix/<Suite>.<Test>/<name>, the text
//                        after the last '/' that ctest labels the case with;
//   matrix_case::PrintTo prints a case as its name (gtest's `GetParam() = <name>`, instead of the struct's bytes).
//                        gtest finds PrintTo by argument-dependent lookup only, and a case struct lives in its test
//                        file's unnamed namespace: that namespace declares `using matrix_case::PrintTo;`.
#pragma once

#include <gtest/gtest.h>

#include <concepts>
#include <ostream>
#include <string>

namespace sea::chaos {

template <typename Case>
concept MatrixCase = requires(const Case& c) {
    { c.name } -> std::convertible_to<const char*>;
};

struct matrix_case_name {
    template <MatrixCase Case>
    std::string operator()(const ::testing::TestParamInfo<Case>& info) const {
        return info.param.name;
    }
};

namespace matrix_case {

template <MatrixCase Case>
void PrintTo(const Case& c, std::ostream* os) {
    *os << c.name;
}

}  // namespace matrix_case
}  // namespace sea::chaos
