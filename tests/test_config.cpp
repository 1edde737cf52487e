// Configuration: INI parsing, schema validation, precedence, Path resolution,
// to_ini round trip, variants, and the command-line sources (--set, --seed).
// The schema is declared here so that these tests depend on nothing else.
#include "config/config.hpp"
#include "config/config_values.hpp"
#include "config/sources.hpp"
#include "core/error.hpp"
#include "train/experiment.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <filesystem>
#include <functional>
#include <fstream>
#include <unistd.h>

using namespace moesim;
using Catch::Matchers::ContainsSubstring;

namespace {

KeySpec spec(std::string key, KeyType type, std::string def, std::optional<double> min = {},
             bool min_exclusive = false, std::vector<std::string> choices = {}) {
  KeySpec s;
  s.key = std::move(key);
  s.type = type;
  s.default_value = std::move(def);
  s.help = "help for " + s.key;
  s.min = min;
  s.min_exclusive = min_exclusive;
  s.choices = std::move(choices);
  return s;
}

ConfigSchema test_schema() {
  ConfigSchema s;
  s.declare(spec("experiment.variants", KeyType::List, "switch,hash"));
  s.declare(spec("experiment.seeds", KeyType::IntList, "1", 0.0));
  s.declare(spec("model.router", KeyType::Choice, "switch"));
  s.add_choice("model.router", "switch");
  s.add_choice("model.router", "gshard");
  s.add_choice("model.router", "hash");
  s.declare(spec("model.experts", KeyType::Int, "8", 1.0));
  s.declare(spec("model.top_k", KeyType::Int, "2", 1.0));
  s.declare(spec("model.capacity_factor", KeyType::Real, "1.25", 0.0, true));
  KeySpec dropout = spec("model.expert_dropout", KeyType::Real, "0", 0.0);
  dropout.max = 1.0;
  dropout.max_exclusive = true;
  s.declare(dropout);
  s.declare(spec("model.backend", KeyType::Choice, "blas", {}, false, {"reference", "blas"}));
  s.declare(spec("model.normalize", KeyType::Bool, "true"));
  s.declare(spec("train.steps", KeyType::Int, "400", 1.0));
  s.declare(spec("train.warmup", KeyType::Int, "", 0.0));
  s.declare(spec("trace.level", KeyType::Choice, "full", {}, false, {"summary", "metrics", "full"}));
  s.declare(spec("trace.metrics", KeyType::List, "loss", {}, false, {"loss", "accuracy", "flops"}));
  s.declare(spec("data.name", KeyType::String, "gaussian-mixture"));
  s.declare(spec("data.path", KeyType::Path, ""));
  return s;
}

std::string usage_error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  FAIL("expected a UsageError");
  return {};
}

using Overrides = std::vector<std::pair<std::string, std::string>>;

}  // namespace

TEST_CASE("INI: sections, comments, whitespace and variant sections", "[config]") {
  const auto ini = parse_ini_text(
      "# a comment\n"
      "; another comment\n"
      "\n"
      "[model]\n"
      "  top_k   =   1   \n"
      "experts=16 # trailing comment\n"
      "capacity_factor = 2.0 ; also a comment\n"
      "[ train ]\n"
      "steps = 50\n"
      "[variant.switch_cf2]\n"
      "router = switch\n"
      "model.capacity_factor = 2\n",
      "test.ini");
  CHECK(ini.path == "test.ini");
  CHECK(ini.values.size() == 6);
  CHECK(ini.values.at("model.top_k") == "1");
  CHECK(ini.values.at("model.experts") == "16");
  CHECK(ini.values.at("model.capacity_factor") == "2.0");
  CHECK(ini.values.at("train.steps") == "50");
  CHECK(ini.values.at("variant.switch_cf2.router") == "switch");
  CHECK(ini.values.at("variant.switch_cf2.model.capacity_factor") == "2");
  CHECK(ini.lines.at("model.top_k") == 5);
  CHECK(ini.lines.at("variant.switch_cf2.model.capacity_factor") == 12);
}

TEST_CASE("INI: a fully qualified key needs no section", "[config]") {
  const auto ini = parse_ini_text("model.top_k = 3\n", "x.ini");
  CHECK(ini.values.at("model.top_k") == "3");
}

TEST_CASE("INI: syntax errors name the file and line", "[config]") {
  CHECK_THAT(usage_error_message([] { parse_ini_text("[model]\n\ntop_k 3\n", "a.ini"); }),
             ContainsSubstring("a.ini:3:"));
  CHECK_THAT(usage_error_message([] { parse_ini_text("[model\ntop_k = 3\n", "b.ini"); }),
             ContainsSubstring("b.ini:1:"));
  CHECK_THAT(usage_error_message([] { parse_ini_text("top_k = 3\n", "c.ini"); }),
             ContainsSubstring("c.ini:1:"));
  CHECK_THAT(usage_error_message([] { parse_ini_text("[model]\n= 3\n", "d.ini"); }),
             ContainsSubstring("d.ini:2:"));
  const std::string dup =
      usage_error_message([] { parse_ini_text("[model]\ntop_k = 1\n\ntop_k = 2\n", "e.ini"); });
  CHECK_THAT(dup, ContainsSubstring("e.ini:4:"));
  CHECK_THAT(dup, ContainsSubstring("duplicate"));
  CHECK_THAT(usage_error_message([] { parse_ini_text("[variant]\nrouter = switch\n", "f.ini"); }),
             ContainsSubstring("f.ini:1:"));
}

TEST_CASE("INI: a missing file is a DataError naming it", "[config]") {
  try {
    parse_ini("/nonexistent/moesim/config.ini");
    FAIL("no exception");
  } catch (const DataError& e) {
    CHECK_THAT(std::string(e.what()), ContainsSubstring("/nonexistent/moesim/config.ini"));
  }
}

TEST_CASE("resolve: defaults, types and explicit keys", "[config]") {
  const auto schema = test_schema();
  const auto c = Config::resolve(schema, std::nullopt, {});
  CHECK(c.get_int("model.top_k") == 2);
  CHECK(c.get_real("model.capacity_factor") == 1.25);
  CHECK(c.get_bool("model.normalize"));
  CHECK(c.get("model.router") == "switch");
  CHECK(c.get_list("experiment.variants") == std::vector<std::string>{"switch", "hash"});
  CHECK(c.get_int_list("experiment.seeds") == std::vector<std::int64_t>{1});
  CHECK_FALSE(c.is_explicit("model.top_k"));
  CHECK_FALSE(c.has("train.warmup"));  // no default
  CHECK(c.has("model.top_k"));
  CHECK_THROWS_AS(c.get("train.warmup"), UsageError);
  CHECK_THROWS_AS(c.get("model.nothing"), UsageError);

  const auto d = Config::resolve(schema, std::nullopt,
                                 {{"model.top_k", "1"}, {"experiment.seeds", "3, 4,5"},
                                  {"model.normalize", "off"}, {"train.warmup", "7"}});
  CHECK(d.is_explicit("model.top_k"));
  CHECK(d.get_int("model.top_k") == 1);
  CHECK(d.get_int_list("experiment.seeds") == std::vector<std::int64_t>{3, 4, 5});
  CHECK(d.get("experiment.seeds") == "3,4,5");  // canonical text
  CHECK_FALSE(d.get_bool("model.normalize"));
  CHECK(d.get_int("train.warmup") == 7);
}

TEST_CASE("resolve: an unknown key is named and the closest keys suggested", "[config]") {
  const auto schema = test_schema();
  const auto msg =
      usage_error_message([&] { Config::resolve(schema, std::nullopt, {{"model.topk", "1"}}); });
  CHECK_THAT(msg, ContainsSubstring("'model.topk'"));
  CHECK_THAT(msg, ContainsSubstring("did you mean 'model.top_k'"));
  // The right name under the wrong section.
  const auto msg2 =
      usage_error_message([&] { Config::resolve(schema, std::nullopt, {{"train.top_k", "1"}}); });
  CHECK_THAT(msg2, ContainsSubstring("'train.top_k'"));
  CHECK_THAT(msg2, ContainsSubstring("model.top_k"));
  // Nothing close: the sections are listed instead.
  const auto msg3 =
      usage_error_message([&] { Config::resolve(schema, std::nullopt, {{"zzz.qqqqqq", "1"}}); });
  CHECK_THAT(msg3, ContainsSubstring("'zzz.qqqqqq'"));
  CHECK_THAT(msg3, ContainsSubstring("model"));
  // From an INI file: file and line first.
  const auto ini = parse_ini_text("[model]\nexperts = 4\nexpertz = 4\n", "conf.ini");
  const auto msg4 = usage_error_message([&] { Config::resolve(schema, ini, {}); });
  CHECK_THAT(msg4, ContainsSubstring("conf.ini:3:"));
  CHECK_THAT(msg4, ContainsSubstring("'model.expertz'"));
  CHECK_THAT(msg4, ContainsSubstring("model.experts"));
}

TEST_CASE("resolve: wrong types name the key and the value", "[config]") {
  const auto schema = test_schema();
  auto err = [&](const std::string& key, const std::string& value) {
    return usage_error_message([&] { Config::resolve(schema, std::nullopt, {{key, value}}); });
  };
  CHECK(err("model.top_k", "two") == "model.top_k: expected an integer, got 'two'");
  CHECK_THAT(err("model.top_k", "2.5"), ContainsSubstring("expected an integer"));
  CHECK_THAT(err("model.capacity_factor", "big"),
             ContainsSubstring("model.capacity_factor: expected a real number, got 'big'"));
  CHECK_THAT(err("model.capacity_factor", "nan"), ContainsSubstring("expected a real number"));
  CHECK_THAT(err("model.normalize", "maybe"), ContainsSubstring("model.normalize: expected true or false"));
  CHECK_THAT(err("experiment.seeds", "1,x"), ContainsSubstring("'x'"));
  CHECK_THAT(err("experiment.seeds", "1,,2"), ContainsSubstring("experiment.seeds"));
}

TEST_CASE("resolve: out-of-range values give the bound", "[config]") {
  const auto schema = test_schema();
  auto err = [&](const std::string& key, const std::string& value) {
    return usage_error_message([&] { Config::resolve(schema, std::nullopt, {{key, value}}); });
  };
  CHECK(err("model.capacity_factor", "0") == "model.capacity_factor: must be > 0, got 0");
  CHECK(err("model.experts", "0") == "model.experts: must be >= 1, got 0");
  CHECK_THAT(err("model.expert_dropout", "1"), ContainsSubstring("must be in [0, 1)"));
  CHECK_THAT(err("experiment.seeds", "3,-1"), ContainsSubstring("must be >= 0, got -1"));
  CHECK_NOTHROW(Config::resolve(schema, std::nullopt, {{"model.capacity_factor", "0.001"}}));
  CHECK_NOTHROW(Config::resolve(schema, std::nullopt, {{"model.expert_dropout", "0.999"}}));
}

TEST_CASE("resolve: choices and list elements list the accepted values", "[config]") {
  const auto schema = test_schema();
  const auto m1 = usage_error_message(
      [&] { Config::resolve(schema, std::nullopt, {{"trace.level", "verbose"}}); });
  CHECK_THAT(m1, ContainsSubstring("trace.level"));
  CHECK_THAT(m1, ContainsSubstring("'verbose'"));
  CHECK_THAT(m1, ContainsSubstring("summary, metrics, full"));
  const auto m2 = usage_error_message(
      [&] { Config::resolve(schema, std::nullopt, {{"trace.metrics", "loss,energy"}}); });
  CHECK_THAT(m2, ContainsSubstring("'energy'"));
  CHECK_THAT(m2, ContainsSubstring("loss, accuracy, flops"));
  const auto m3 = usage_error_message(
      [&] { Config::resolve(schema, std::nullopt, {{"model.router", "quantum"}}); });
  CHECK_THAT(m3, ContainsSubstring("switch, gshard, hash"));
}

TEST_CASE("resolve: precedence is overrides then INI then defaults and later overrides win",
          "[config]") {
  const auto schema = test_schema();
  const auto ini = parse_ini_text("[model]\ntop_k = 3\nexperts = 4\n", "p.ini");
  const auto c = Config::resolve(schema, ini,
                                 {{"model.top_k", "4"}, {"model.top_k", "5"}, {"train.steps", "9"}});
  CHECK(c.get_int("model.top_k") == 5);    // last override
  CHECK(c.get_int("model.experts") == 4);  // INI
  CHECK(c.get_int("train.steps") == 9);    // override of a default
  CHECK(c.get_real("model.capacity_factor") == 1.25);  // default
  CHECK(c.is_explicit("model.experts"));
  CHECK_FALSE(c.is_explicit("model.capacity_factor"));
}

TEST_CASE("resolve: Path values in an INI resolve against the file's directory", "[config]") {
  const auto schema = test_schema();
  const auto rel = parse_ini_text("[data]\npath = sub/data.h5\n", "/tmp/cfgdir/exp.ini");
  CHECK(Config::resolve(schema, rel, {}).get("data.path") == "/tmp/cfgdir/sub/data.h5");
  const auto up = parse_ini_text("[data]\npath = ../data.h5\n", "/tmp/cfgdir/exp.ini");
  CHECK(Config::resolve(schema, up, {}).get("data.path") == "/tmp/data.h5");
  const auto abs = parse_ini_text("[data]\npath = /srv/data.h5\n", "/tmp/cfgdir/exp.ini");
  CHECK(Config::resolve(schema, abs, {}).get("data.path") == "/srv/data.h5");
  const auto variant =
      parse_ini_text("[variant.v]\nrouter = hash\ndata.path = x.h5\n", "/tmp/cfgdir/exp.ini");
  CHECK(Config::resolve(schema, variant, {}).for_variant("v").get("data.path") == "/tmp/cfgdir/x.h5");
  // Strings are not paths; --set paths stay as given (relative to the working directory).
  const auto str = parse_ini_text("[data]\nname = sub/x\n", "/tmp/cfgdir/exp.ini");
  CHECK(Config::resolve(schema, str, {}).get("data.name") == "sub/x");
  CHECK(Config::resolve(schema, std::nullopt, {{"data.path", "rel.h5"}}).get("data.path") == "rel.h5");
}

TEST_CASE("to_ini lists every key and round-trips through parse_ini_text", "[config]") {
  const auto schema = test_schema();
  const auto ini = parse_ini_text(
      "[model]\ntop_k = 1\nnormalize = no\n[experiment]\nvariants = big, hash\nseeds = 2,3\n"
      "[variant.big]\nrouter = gshard\nmodel.experts = 32\n",
      "r.ini");
  const auto c = Config::resolve(schema, ini, {{"trace.level", "metrics"}});
  const std::string text = c.to_ini();
  for (const auto& [key, _] : schema.keys()) {
    const std::string leaf = key.substr(key.find('.') + 1);
    CHECK_THAT(text, ContainsSubstring("\n" + leaf + " = "));
  }
  CHECK_THAT(text, ContainsSubstring("[model]\n"));
  CHECK_THAT(text, ContainsSubstring("[variant.big]\nrouter = gshard\n"));
  const auto again = Config::resolve(schema, parse_ini_text(text, "<to_ini>"), {});
  for (const auto& [key, _] : schema.keys()) {
    CAPTURE(key);
    CHECK(again.has(key) == c.has(key));
    if (c.has(key)) CHECK(again.get(key) == c.get(key));
  }
  CHECK(again.variant_sections() == std::vector<std::string>{"big"});
  CHECK(again.for_variant("big").get_int("model.experts") == 32);
  CHECK(again.to_ini() == text);
}

TEST_CASE("describe shows value, default, accepted values and help for every key", "[config]") {
  const auto schema = test_schema();
  const auto c = Config::resolve(schema, std::nullopt, {{"model.top_k", "1"}});
  const std::string d = c.describe();
  CHECK_THAT(d, ContainsSubstring("model.top_k = 1  (default: 2; accepted: integer >= 1)  # help for model.top_k\n"));
  CHECK_THAT(d, ContainsSubstring("trace.level = full  (default: full; accepted: summary, metrics, full)"));
  CHECK_THAT(d, ContainsSubstring("model.capacity_factor = 1.25  (default: 1.25; accepted: real number > 0)"));
  CHECK_THAT(d, ContainsSubstring("train.warmup =   (default: none;"));
  std::size_t lines = 0;
  for (char ch : d) lines += ch == '\n';
  CHECK(lines == schema.keys().size());
}

TEST_CASE("for_variant: sections, bare router names and unknown names", "[config]") {
  const auto schema = test_schema();
  const auto ini = parse_ini_text(
      "[experiment]\nvariants = switch, cf2, gshard\n"
      "[variant.cf2]\nrouter = hash\nmodel.capacity_factor = 2\nmodel.top_k = 1\n",
      "v.ini");
  const auto c = Config::resolve(schema, ini, {});
  CHECK(c.variant_sections() == std::vector<std::string>{"cf2"});
  const auto cf2 = c.for_variant("cf2");
  CHECK(cf2.get("model.router") == "hash");
  CHECK(cf2.get_real("model.capacity_factor") == 2.0);
  CHECK(cf2.get_int("model.top_k") == 1);
  CHECK(cf2.get_int("model.experts") == 8);     // base value
  CHECK(c.get_real("model.capacity_factor") == 1.25);  // the base is untouched
  const auto g = c.for_variant("gshard");
  CHECK(g.get("model.router") == "gshard");
  CHECK(g.get_real("model.capacity_factor") == 1.25);
  // A section without router: named after a router, or the base model.router.
  const auto ini2 = parse_ini_text(
      "[model]\nrouter = gshard\n[variant.hash]\nmodel.top_k = 1\n[variant.wide]\nmodel.experts = 64\n",
      "v2.ini");
  const auto c2 = Config::resolve(schema, ini2, {});
  CHECK(c2.for_variant("hash").get("model.router") == "hash");
  CHECK(c2.for_variant("hash").get_int("model.top_k") == 1);
  CHECK(c2.for_variant("wide").get("model.router") == "gshard");
  CHECK(c2.for_variant("wide").get_int("model.experts") == 64);
  const auto msg = usage_error_message([&] { c.for_variant("foo"); });
  CHECK_THAT(msg, ContainsSubstring("experiment.variants: 'foo' is neither a registered router nor a [variant.foo] section"));
  CHECK_THAT(msg, ContainsSubstring("switch, gshard, hash"));
}

TEST_CASE("variant sections are validated like every key", "[config]") {
  const auto schema = test_schema();
  auto err = [&](const std::string& text) {
    return usage_error_message([&] { Config::resolve(schema, parse_ini_text(text, "w.ini"), {}); });
  };
  CHECK_THAT(err("[variant.a]\nrouter = quantum\n"), ContainsSubstring("w.ini:2:"));
  CHECK_THAT(err("[variant.a]\nrouter = quantum\n"), ContainsSubstring("switch, gshard, hash"));
  const auto unknown = err("[variant.a]\nrouter = hash\nmodel.topk = 1\n");
  CHECK_THAT(unknown, ContainsSubstring("'variant.a.model.topk'"));
  CHECK_THAT(unknown, ContainsSubstring("variant.a.model.top_k"));
  CHECK_THAT(err("[variant.a]\nrouter = hash\nmodel.experts = 0\n"),
             ContainsSubstring("variant.a.model.experts: must be >= 1"));
  // experiment.variants must name routers or sections: checked by resolve, before any work.
  CHECK_THAT(err("[experiment]\nvariants = switch, nope\n"),
             ContainsSubstring("'nope' is neither a registered router nor a [variant.nope] section"));
  // --set can add to a variant section.
  const auto c = Config::resolve(schema, std::nullopt,
                                 {{"variant.x.router", "hash"}, {"variant.x.model.top_k", "1"},
                                  {"experiment.variants", "x"}});
  CHECK(c.for_variant("x").get_int("model.top_k") == 1);
}

TEST_CASE("Config::set validates", "[config]") {
  const auto schema = test_schema();
  auto c = Config::resolve(schema, std::nullopt, {});
  c.set("model.top_k", "4");
  CHECK(c.get_int("model.top_k") == 4);
  CHECK(c.is_explicit("model.top_k"));
  CHECK_THROWS_AS(c.set("model.top_k", "0"), UsageError);
  CHECK_THROWS_AS(c.set("model.nope", "1"), UsageError);
}

TEST_CASE("config sources: --set parsing and --seed as experiment.seeds", "[config]") {
  CHECK(parse_override("model.top_k=1") == std::pair<std::string, std::string>{"model.top_k", "1"});
  CHECK(parse_override(" data.path = a=b ") == std::pair<std::string, std::string>{"data.path", "a=b"});
  CHECK_THROWS_AS(parse_override("model.top_k"), UsageError);
  CHECK_THROWS_AS(parse_override("top_k=1"), UsageError);
  CHECK_THROWS_AS(parse_override("=1"), UsageError);

  const auto schema = test_schema();
  ConfigSources s;
  s.seed = 7;
  CHECK(load_config(schema, s).get("experiment.seeds") == "7");
  s.sets = {"experiment.seeds=1,2", "model.top_k=3"};
  std::string note;
  const auto c = load_config(schema, s, &note);
  CHECK(c.get("experiment.seeds") == "1,2");  // explicit wins over --seed
  CHECK(c.get_int("model.top_k") == 3);
  CHECK_THAT(note, ContainsSubstring("--seed 7"));

  // An INI that sets the seeds also wins over --seed; --set beats the INI.
  const auto dir = std::filesystem::temp_directory_path() /
                   ("moesim_config_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = (dir / "seeds.ini").string();
  std::ofstream(file) << "[experiment]\nseeds = 4\n[model]\ntop_k = 1\nexperts = 5\n";
  ConfigSources f;
  f.config_path = file;
  f.seed = 9;
  f.sets = {"model.top_k=2"};
  const auto fc = load_config(schema, f);
  CHECK(fc.get("experiment.seeds") == "4");
  CHECK(fc.get_int("model.top_k") == 2);
  CHECK(fc.get_int("model.experts") == 5);
  std::filesystem::remove_all(dir);

  ConfigSources missing;
  missing.config_path = "/nonexistent/moesim.ini";
  CHECK_THAT(usage_error_message([&] { load_config(schema, missing); }),
             ContainsSubstring("/nonexistent/moesim.ini"));
}

TEST_CASE("shell quoting of the recorded command line", "[config]") {
  CHECK(shell_quote("model.top_k=1") == "model.top_k=1");
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(shell_quote("") == "''");
  const char* argv[] = {"moesim", "run", "--set", "data.path=my file.h5"};
  CHECK(join_command_line(4, argv) == "moesim run --set 'data.path=my file.h5'");
}

TEST_CASE("the core keys: defaults and bounds", "[config]") {
  ConfigSchema schema;
  declare_core_keys(schema);
  schema.add_choice("model.router", "switch");
  for (const char* r : {"gshard", "expert_choice", "soft_moe", "dense", "hash"})
    schema.add_choice("model.router", r);
  const auto c = Config::resolve(schema, std::nullopt, {});
  CHECK(c.get_list("experiment.variants") ==
        std::vector<std::string>{"switch", "gshard", "expert_choice", "soft_moe", "dense", "hash"});
  CHECK(c.get_int("model.experts") == 8);
  CHECK(c.get_int("model.top_k") == 2);
  CHECK(c.get_real("model.capacity_factor") == 1.25);
  CHECK(c.get("model.backend") == "blas");
  CHECK(c.get("trace.level") == "full");
  CHECK(c.get_int("train.steps") == 400);
  CHECK_FALSE(c.has("train.warmup"));
  CHECK_FALSE(c.has("train.eval_every"));
  CHECK(c.get("trace.energy_table") == "horowitz45nm");
  auto err = [&](const std::string& key, const std::string& value) {
    return usage_error_message([&] { Config::resolve(schema, std::nullopt, {{key, value}}); });
  };
  CHECK(err("model.capacity_factor", "0") == "model.capacity_factor: must be > 0, got 0");
  CHECK_THAT(err("model.experts", "0"), ContainsSubstring("model.experts: must be >= 1"));
  CHECK_THAT(err("model.expert_dropout", "1"), ContainsSubstring("[0, 1)"));
  CHECK_THAT(err("model.backend", "cuda"), ContainsSubstring("reference, blas"));
  CHECK_THAT(err("train.lr", "0"), ContainsSubstring("train.lr: must be > 0"));
  CHECK_THAT(err("experiment.seeds", "-1"), ContainsSubstring("experiment.seeds"));
  CHECK_NOTHROW(Config::resolve(schema, std::nullopt, {{"model.shared_experts", "0"}}));
}
