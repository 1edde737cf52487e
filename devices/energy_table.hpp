// Energy per operation (a device of DESIGN.md §1): the Ledger multiplies
// operation counts by these. Loaded from devices/presets/energy_<name>.ini,
// whose [energy] keys carry their unit (_pj) and whose [source] cites where the
// figures come from. Energies are held in joules.
#pragma once
#include <string>
#include <vector>

namespace moesim {

struct EnergyTable {
  std::string name;    // preset name (bare name, or the file stem for a path)
  std::string path;    // the file it was read from
  std::string source;  // [source] citation

  // Per operation, in joules.
  double fp32_add_j = 0, fp32_mul_j = 0;
  double fp16_add_j = 0, fp16_mul_j = 0;
  double int8_add_j = 0, int32_add_j = 0;
  double int8_mul_j = 0, int32_mul_j = 0;
  // Per 64-bit read.
  double sram_read_64bit_8kb_j = 0, sram_read_64bit_32kb_j = 0, sram_read_64bit_1mb_j = 0;
  double dram_read_64bit_j = 0;

  // One fp32 multiply-add (a separate multiply and add): mul + add.
  double fp32_fma_energy_j() const { return fp32_mul_j + fp32_add_j; }
  // `flops` fp32 floating-point operations counted as multiply-add pairs
  // (2 FLOPs per pair, the usual GEMM convention): flops / 2 * (mul + add).
  double flop_energy_j(double flops) const { return flops / 2.0 * fp32_fma_energy_j(); }
  // Reading `bytes` from DRAM at the per-64-bit energy: bytes / 8 * dram.
  double dram_bytes_energy_j(double bytes) const { return bytes / 8.0 * dram_read_64bit_j; }
};

// The [energy] keys every energy preset must set (picojoules), in file order.
const std::vector<std::string>& energy_table_keys();

// Loads an energy table. `name_or_path` is a file path if it contains '/' or
// ends in ".ini"; otherwise a preset name looked up as
// <dir>/energy_<name>.ini with dir = presets_directory(fallback_dirs)
// (MOESIM_PRESETS first). Throws moesim::DataError for an unknown preset (the
// message lists the available ones), an unreadable file, a missing,
// non-numeric, non-finite or negative value, or an unknown key in [energy]
// (each message names the file and key).
EnergyTable load_energy_table(const std::string& name_or_path,
                              const std::vector<std::string>& fallback_dirs = {});

}  // namespace moesim
