// blas_info(): the linked BLAS reports its core, and a generic core on an AVX2 CPU is flagged.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "hypatia/util/blas_info.h"

namespace hypatia {
namespace {

// The CPU's flags as the kernel lists them: an independent view of what cpu_has_avx2() decides.
std::string cpuinfo_flags() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("flags", 0) == 0) return line + " ";
  return "";
}

TEST(BlasInfo, GenericCoresAreThoseWithoutAvx2Kernels) {
  for (const char* core : {"Prescott", "PRESCOTT", "Core2", "Nehalem", "Sandybridge", "Atom", "Barcelona",
                           "Generic", "Prescott "})
    EXPECT_TRUE(is_generic_blas_core(core)) << core;
  for (const char* core : {"Haswell", "SkylakeX", "SKYLAKEX", "Cooperlake", "SapphireRapids", "Zen", "unknown",
                           "", "ARMV8"})
    EXPECT_FALSE(is_generic_blas_core(core)) << core;
}

TEST(BlasInfo, CpuAvx2AgreesWithProcCpuinfo) {
  const std::string flags = cpuinfo_flags();
  if (flags.empty()) GTEST_SKIP() << "no /proc/cpuinfo flags";
#if !(defined(__x86_64__) || defined(__i386__))
  GTEST_SKIP() << "not x86";
#endif
  EXPECT_EQ(cpu_has_avx2(), flags.find(" avx2 ") != std::string::npos);
}

TEST(BlasInfo, ReportsTheLinkedOpenBlas) {
  const BlasInfo info = blas_info();
  EXPECT_TRUE(info.build == "system" || info.build == "scipy-openblas") << info.build;
  EXPECT_NE(info.core, "unknown");
  EXPECT_NE(info.config.find("OpenBLAS"), std::string::npos) << info.config;
  EXPECT_GE(info.num_threads, 1);
  EXPECT_NE(info.threading, "unknown");
  EXPECT_EQ(info.cpu_has_avx2, cpu_has_avx2());
  const char* forced = std::getenv("OPENBLAS_CORETYPE");
  EXPECT_EQ(info.forced_core, forced ? forced : "");
  EXPECT_EQ(info.generic_fallback, info.cpu_has_avx2 && is_generic_blas_core(info.core)) << info.core;
}

// Run in a child process by FlagsAForcedGenericCore (skipped otherwise): prints what it sees.
TEST(BlasInfoChild, Report) {
  if (!std::getenv("HYPATIA_BLAS_INFO_CHILD")) GTEST_SKIP() << "runs as FlagsAForcedGenericCore's child";
  const BlasInfo info = blas_info();
  std::printf("HYPATIA_BLAS_CHILD core=%s fallback=%d forced=%s\n", info.core.c_str(), info.generic_fallback ? 1 : 0,
              info.forced_core.c_str());
}

// The report detects the fallback the issue was about: OpenBLAS forced onto its Prescott kernels
// (what Debian 12's OpenBLAS picks on CPUs newer than itself) is flagged on an AVX2 CPU.
TEST(BlasInfo, FlagsAForcedGenericCore) {
  const BlasInfo info = blas_info();
  if (!info.cpu_has_avx2) GTEST_SKIP() << "CPU without AVX2";
  if (info.config.find("DYNAMIC_ARCH") == std::string::npos) GTEST_SKIP() << "OpenBLAS without DYNAMIC_ARCH";
  // Some machines preset it because older OpenBLAS builds misbehave on their CPU: leave it alone.
  if (!info.forced_core.empty()) GTEST_SKIP() << "OPENBLAS_CORETYPE is set in the environment";
  char self[4096];
  const ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) GTEST_SKIP() << "cannot find this test binary";
  self[len] = '\0';
  const std::string cmd = std::string("HYPATIA_BLAS_INFO_CHILD=1 OPENBLAS_CORETYPE=Prescott '") + self +
                          "' --gtest_filter=BlasInfoChild.Report 2>&1";
  FILE* child = popen(cmd.c_str(), "r");
  ASSERT_NE(child, nullptr);
  std::ostringstream out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, child)) out << buf;
  ASSERT_EQ(pclose(child), 0) << out.str();
  // The core's name varies with the build (Debian's reports Prescott, the wheel's Katmai).
  const std::string text = out.str();
  const size_t at = text.find("HYPATIA_BLAS_CHILD core=");
  ASSERT_NE(at, std::string::npos) << text;
  const std::string line = text.substr(at, text.find('\n', at) - at);
  const std::string core = line.substr(line.find('=') + 1, line.rfind(" fallback=") - line.find('=') - 1);
  EXPECT_TRUE(is_generic_blas_core(core)) << line;
  EXPECT_NE(line.find(" fallback=1 forced=Prescott"), std::string::npos) << line;
}

}  // namespace
}  // namespace hypatia
