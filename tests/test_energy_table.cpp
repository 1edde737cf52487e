// The energy-per-operation table (devices/energy_table): the shipped Horowitz
// preset, the arithmetic helpers, error messages that name file and key, and
// the MOESIM_PRESETS override of the presets directory.
#include "core/error.hpp"
#include "devices/energy_table.hpp"
#include "devices/presets_dir.hpp"
#include "preset_test_util.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>

using namespace moesim;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinRel;

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kSourcePresets = {MOESIM_SOURCE_PRESETS};

using moesim::testing::PresetsEnv;
using moesim::testing::TempDir;

// A complete preset with fp32 mul = `mul`, fp32 add = `add`, the rest 1 pJ,
// followed by `extra` lines in [energy].
std::string preset_text(const std::string& mul, const std::string& add, const std::string& extra = "") {
  std::string t = "[source]\ncitation = test preset\n\n[energy]\n";
  t += "fp32_mul_pj = " + mul + "\nfp32_add_pj = " + add + "\n";
  for (const auto& k : energy_table_keys())
    if (k != "fp32_mul_pj" && k != "fp32_add_pj") t += k + " = 1\n";
  return t + extra;
}

}  // namespace

TEST_CASE("horowitz45nm preset holds the ISSCC 2014 figures in joules", "[devices]") {
  PresetsEnv env(std::nullopt);
  const auto t = load_energy_table("horowitz45nm", kSourcePresets);
  CHECK(t.name == "horowitz45nm");
  CHECK_THAT(t.source, ContainsSubstring("Horowitz") && ContainsSubstring("ISSCC 2014"));
  CHECK_THAT(t.fp32_add_j, WithinRel(0.9e-12, 1e-12));
  CHECK_THAT(t.fp32_mul_j, WithinRel(3.7e-12, 1e-12));
  CHECK_THAT(t.fp16_add_j, WithinRel(0.4e-12, 1e-12));
  CHECK_THAT(t.fp16_mul_j, WithinRel(1.1e-12, 1e-12));
  CHECK_THAT(t.int32_add_j, WithinRel(0.1e-12, 1e-12));
  CHECK_THAT(t.int8_add_j, WithinRel(0.03e-12, 1e-12));
  CHECK_THAT(t.int32_mul_j, WithinRel(3.1e-12, 1e-12));
  CHECK_THAT(t.int8_mul_j, WithinRel(0.2e-12, 1e-12));
  CHECK_THAT(t.sram_read_64bit_8kb_j, WithinRel(10e-12, 1e-12));
  CHECK_THAT(t.sram_read_64bit_32kb_j, WithinRel(20e-12, 1e-12));
  CHECK_THAT(t.sram_read_64bit_1mb_j, WithinRel(100e-12, 1e-12));
  CHECK_THAT(t.dram_read_64bit_j, WithinRel(1.3e-9, 1e-12));
}

TEST_CASE("energy helpers: fma, flops as mul+add pairs, DRAM bytes per 64 bits", "[devices]") {
  PresetsEnv env(std::nullopt);
  const auto t = load_energy_table("horowitz45nm", kSourcePresets);
  // 3.7 pJ + 0.9 pJ.
  CHECK_THAT(t.fp32_fma_energy_j(), WithinRel(4.6e-12, 1e-12));
  // A 64x64x64 GEMM: 2*64^3 = 524288 FLOPs = 262144 mul+add pairs * 4.6 pJ = 1.2058624e-6 J.
  CHECK_THAT(t.flop_energy_j(524288.0), WithinRel(1.2058624e-6, 1e-12));
  CHECK(t.flop_energy_j(0.0) == 0.0);
  // 1 KiB = 128 reads of 64 bits * 1.3 nJ = 166.4 nJ.
  CHECK_THAT(t.dram_bytes_energy_j(1024.0), WithinRel(1.664e-7, 1e-12));
}

TEST_CASE("energy table loads from an explicit path", "[devices]") {
  TempDir dir("energy");
  const auto path = dir.file("energy_mine.ini", preset_text("2.5", "0.5"));
  const auto t = load_energy_table(path);
  CHECK(t.name == "mine");
  CHECK(t.path == path);
  CHECK(t.source == "test preset");
  CHECK_THAT(t.fp32_fma_energy_j(), WithinRel(3.0e-12, 1e-12));
  CHECK_THAT(t.flop_energy_j(10.0), WithinRel(15.0e-12, 1e-12));
}

TEST_CASE("malformed energy presets are DataErrors naming file and key", "[devices]") {
  TempDir dir("energy");
  auto expect_error = [](const std::string& path, const std::string& part) {
    try {
      load_energy_table(path);
      FAIL("no DataError for " << path);
    } catch (const DataError& e) {
      CHECK_THAT(std::string(e.what()), ContainsSubstring(path) && ContainsSubstring(part));
    }
  };
  SECTION("non-numeric value") {
    expect_error(dir.file("a.ini", preset_text("three", "0.9")), "fp32_mul_pj");
  }
  SECTION("trailing garbage") {
    expect_error(dir.file("b.ini", preset_text("3.7pJ", "0.9")), "fp32_mul_pj");
  }
  SECTION("negative value") {
    expect_error(dir.file("c.ini", preset_text("3.7", "-0.9")), "fp32_add_pj");
  }
  SECTION("not finite") {
    expect_error(dir.file("d.ini", preset_text("inf", "0.9")), "fp32_mul_pj");
  }
  SECTION("missing key") {
    std::string text = preset_text("3.7", "0.9");
    const auto at = text.find("dram_read_64bit_pj = 1\n");
    REQUIRE(at != std::string::npos);
    text.erase(at, std::string("dram_read_64bit_pj = 1\n").size());
    expect_error(dir.file("e.ini", text), "dram_read_64bit_pj");
  }
  SECTION("unknown key (a typo)") {
    expect_error(dir.file("f.ini", preset_text("3.7", "0.9", "fp32_mull_pj = 3\n")), "fp32_mull_pj");
  }
  SECTION("repeated key") {
    expect_error(dir.file("g.ini", preset_text("3.7", "0.9", "fp32_mul_pj = 3\n")), "fp32_mul_pj");
  }
  SECTION("line without '='") {
    expect_error(dir.file("h.ini", preset_text("3.7", "0.9", "fp32_div_pj 3\n")), "key = value");
  }
  SECTION("no citation") {
    std::string text = preset_text("3.7", "0.9");
    text.replace(text.find("citation"), 8, "cite");
    expect_error(dir.file("i.ini", text), "citation");
  }
  SECTION("unreadable file") {
    expect_error(dir.str() + "/does_not_exist.ini", "cannot open");
  }
}

TEST_CASE("an unknown preset name lists the available presets", "[devices]") {
  PresetsEnv env(std::nullopt);
  try {
    load_energy_table("horowitz7nm", kSourcePresets);
    FAIL("no DataError");
  } catch (const DataError& e) {
    CHECK_THAT(std::string(e.what()), ContainsSubstring("horowitz7nm") && ContainsSubstring("horowitz45nm"));
  }
}

TEST_CASE("MOESIM_PRESETS overrides the fallback presets directory", "[devices]") {
  TempDir dir("energy");
  dir.file("energy_custom.ini", preset_text("7", "1"));
  dir.file("energy_horowitz45nm.ini", preset_text("42", "1"));  // shadows the shipped one
  {
    PresetsEnv env(dir.str());
    CHECK(presets_directory(kSourcePresets) == dir.str());
    const auto custom = load_energy_table("custom", kSourcePresets);
    CHECK_THAT(custom.fp32_mul_j, WithinRel(7e-12, 1e-12));
    const auto shadow = load_energy_table("horowitz45nm", kSourcePresets);
    CHECK_THAT(shadow.fp32_mul_j, WithinRel(42e-12, 1e-12));
    CHECK(shadow.path == (fs::path(dir.str()) / "energy_horowitz45nm.ini").string());
  }
  {
    PresetsEnv env(std::nullopt);
    CHECK(presets_directory(kSourcePresets) == MOESIM_SOURCE_PRESETS);
    CHECK_THAT(load_energy_table("horowitz45nm", kSourcePresets).fp32_mul_j, WithinRel(3.7e-12, 1e-12));
    CHECK_THROWS_AS(load_energy_table("custom", kSourcePresets), DataError);
    CHECK_THROWS_AS(presets_directory({dir.str() + "/missing"}), DataError);
  }
}

TEST_CASE("list_presets names every preset with its citation", "[devices]") {
  const auto presets = list_presets(MOESIM_SOURCE_PRESETS);
  bool found = false;
  for (const auto& [name, citation] : presets) {
    if (name != "energy_horowitz45nm") continue;
    found = true;
    CHECK_THAT(citation, ContainsSubstring("M. Horowitz") && ContainsSubstring("ISSCC 2014"));
  }
  CHECK(found);

  TempDir dir("energy");
  dir.file("energy_b.ini", "[source]\ncitation = Second, 2020\n");
  dir.file("a_device.ini", "[source]\nreference = First line only\n[x]\ny = 1\n");
  dir.file("notes.txt", "not a preset");
  const auto listed = list_presets(dir.str());
  REQUIRE(listed.size() == 2);
  CHECK(listed[0] == std::make_pair(std::string("a_device"), std::string("First line only")));
  CHECK(listed[1] == std::make_pair(std::string("energy_b"), std::string("Second, 2020")));
  CHECK_THROWS_AS(list_presets(dir.str() + "/missing"), DataError);
}
