#define CAF_SUITE ydoc_cli_options
#include <caf/test/unit_test.hpp>

// zeal-ydoc's command-line parser: every command, every option, and every usage error.

#include <optional>
#include <string>
#include <vector>

#include "app/ydoc/cli_options.hpp"

using namespace zeal;
using namespace zeal::ydoc;

namespace {

std::optional<cli_options> parse(const std::vector<std::string>& args) {
  std::string error;
  auto r = parse_cli(args, error);
  if (!r) CAF_MESSAGE("unexpected usage error: " << error);
  return r;
}

/// Parses args expecting a usage error; returns the message ("" if it parsed).
std::string parse_error(const std::vector<std::string>& args) {
  std::string error;
  auto r = parse_cli(args, error);
  if (r) return "";
  if (error.empty()) return "<empty message>";
  return error;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

CAF_TEST(every_command_parses_with_defaults) {
  for (const char* cmd : {"apply", "json", "sv", "merge", "dump", "pending"}) {
    auto o = parse({cmd, "a.bin"});
    CAF_REQUIRE(o.has_value());
    CAF_CHECK_EQUAL(o->command, cmd);
    CAF_CHECK(o->in_format == crdt::update_format::v1);
    CAF_CHECK(o->out_format == crdt::update_format::v1);
    CAF_CHECK(o->gc);
    CAF_CHECK(!o->out_path);
    CAF_CHECK(!o->sv_path);
    CAF_REQUIRE_EQUAL(o->files.size(), 1u);
    CAF_CHECK_EQUAL(o->files[0], "a.bin");
  }
  auto d = parse({"diff", "--sv", "sv.bin", "a.bin"});
  CAF_REQUIRE(d.has_value());
  CAF_CHECK_EQUAL(d->command, "diff");
  CAF_REQUIRE(d->sv_path.has_value());
  CAF_CHECK_EQUAL(*d->sv_path, "sv.bin");
  CAF_REQUIRE_EQUAL(d->files.size(), 1u);
  CAF_CHECK_EQUAL(d->files[0], "a.bin");
}

CAF_TEST(several_files_keep_their_order) {
  for (const char* cmd : {"apply", "json", "sv", "merge", "pending"}) {
    auto o = parse({cmd, "c", "a", "b"});
    CAF_REQUIRE(o.has_value());
    CAF_CHECK_EQUAL(o->files, (std::vector<std::string>{"c", "a", "b"}));
  }
  auto d = parse({"diff", "x", "--sv", "s", "y"});
  CAF_REQUIRE(d.has_value());
  CAF_CHECK_EQUAL(d->files, (std::vector<std::string>{"x", "y"}));
  CAF_CHECK_EQUAL(*d->sv_path, "s");
}

CAF_TEST(v2_is_valid_for_every_command) {
  for (const char* cmd : {"apply", "json", "sv", "merge", "dump", "pending"}) {
    auto o = parse({cmd, "--v2", "a.bin"});
    CAF_REQUIRE(o.has_value());
    CAF_CHECK(o->in_format == crdt::update_format::v2);
    CAF_CHECK(o->out_format == crdt::update_format::v1);
  }
  auto d = parse({"diff", "--v2", "--sv", "s", "a"});
  CAF_REQUIRE(d.has_value());
  CAF_CHECK(d->in_format == crdt::update_format::v2);
}

CAF_TEST(out_v2_and_o_for_apply_diff_merge) {
  auto a = parse({"apply", "--out-v2", "-o", "out.bin", "a.bin"});
  CAF_REQUIRE(a.has_value());
  CAF_CHECK(a->out_format == crdt::update_format::v2);
  CAF_CHECK(a->in_format == crdt::update_format::v1);
  CAF_REQUIRE(a->out_path.has_value());
  CAF_CHECK_EQUAL(*a->out_path, "out.bin");
  CAF_CHECK_EQUAL(a->files, (std::vector<std::string>{"a.bin"}));

  auto m = parse({"merge", "a", "--out-v2", "b", "-o", "m.bin"});
  CAF_REQUIRE(m.has_value());
  CAF_CHECK(m->out_format == crdt::update_format::v2);
  CAF_CHECK_EQUAL(*m->out_path, "m.bin");
  CAF_CHECK_EQUAL(m->files, (std::vector<std::string>{"a", "b"}));

  auto d = parse({"diff", "--sv", "s", "--v2", "--out-v2", "-o", "d.bin", "a"});
  CAF_REQUIRE(d.has_value());
  CAF_CHECK(d->in_format == crdt::update_format::v2);
  CAF_CHECK(d->out_format == crdt::update_format::v2);
  CAF_CHECK_EQUAL(*d->out_path, "d.bin");
  CAF_CHECK_EQUAL(*d->sv_path, "s");
}

CAF_TEST(o_takes_the_next_argument_even_if_it_looks_like_an_option) {
  auto a = parse({"apply", "-o", "-", "a"});
  CAF_REQUIRE(a.has_value());
  CAF_CHECK_EQUAL(*a->out_path, "-");
  CAF_CHECK_EQUAL(a->files, (std::vector<std::string>{"a"}));
}

CAF_TEST(no_gc_for_apply_and_json) {
  for (const char* cmd : {"apply", "json"}) {
    auto o = parse({cmd, "--no-gc", "a"});
    CAF_REQUIRE(o.has_value());
    CAF_CHECK(!o->gc);
  }
}

CAF_TEST(options_not_valid_for_a_command) {
  struct bad {
    std::vector<std::string> args;
    const char* option;
  };
  const std::vector<bad> cases = {
      {{"json", "--out-v2", "a"}, "--out-v2"},
      {{"sv", "--out-v2", "a"}, "--out-v2"},
      {{"dump", "--out-v2", "a"}, "--out-v2"},
      {{"pending", "--out-v2", "a"}, "--out-v2"},
      {{"sv", "--no-gc", "a"}, "--no-gc"},
      {{"diff", "--sv", "s", "--no-gc", "a"}, "--no-gc"},
      {{"merge", "--no-gc", "a"}, "--no-gc"},
      {{"dump", "--no-gc", "a"}, "--no-gc"},
      {{"pending", "--no-gc", "a"}, "--no-gc"},
      {{"json", "-o", "x", "a"}, "-o"},
      {{"sv", "-o", "x", "a"}, "-o"},
      {{"dump", "-o", "x", "a"}, "-o"},
      {{"pending", "-o", "x", "a"}, "-o"},
      {{"apply", "--sv", "s", "a"}, "--sv"},
      {{"merge", "--sv", "s", "a"}, "--sv"},
      {{"json", "--sv", "s", "a"}, "--sv"},
      {{"apply", "--frobnicate", "a"}, "--frobnicate"},
      {{"apply", "-x", "a"}, "-x"},
      {{"apply", "--V2", "a"}, "--V2"},
  };
  for (const auto& c : cases) {
    auto e = parse_error(c.args);
    CAF_MESSAGE(c.args[0] << " " << c.option << " -> " << e);
    CAF_CHECK(contains(e, c.option));
    CAF_CHECK(contains(e, c.args[0]));
    CAF_CHECK(contains(e, "not valid"));
  }
}

CAF_TEST(missing_file) {
  for (const char* cmd : {"apply", "json", "sv", "merge", "dump", "pending"}) {
    auto e = parse_error({cmd});
    CAF_CHECK(contains(e, "FILE"));
    CAF_CHECK(contains(e, cmd));
  }
  CAF_CHECK(contains(parse_error({"apply", "--v2", "--no-gc"}), "FILE"));
  CAF_CHECK(contains(parse_error({"diff", "--sv", "s"}), "FILE"));
  CAF_CHECK(contains(parse_error({"apply", "--"}), "FILE"));
}

CAF_TEST(option_argument_missing) {
  CAF_CHECK(contains(parse_error({"apply", "a", "-o"}), "-o"));
  CAF_CHECK(contains(parse_error({"apply", "a", "-o"}), "needs a file name"));
  CAF_CHECK(contains(parse_error({"diff", "a", "--sv"}), "--sv"));
  CAF_CHECK(contains(parse_error({"diff", "a", "--sv"}), "needs a file name"));
}

CAF_TEST(dump_takes_exactly_one_file) {
  CAF_CHECK(contains(parse_error({"dump", "a", "b"}), "exactly one"));
  CAF_CHECK(contains(parse_error({"dump", "--v2", "a", "b", "c"}), "exactly one"));
  CAF_CHECK(parse({"dump", "--v2", "a"}).has_value());
}

CAF_TEST(diff_needs_sv) {
  auto e = parse_error({"diff", "a"});
  CAF_CHECK(contains(e, "--sv"));
  CAF_CHECK(contains(e, "diff"));
  CAF_CHECK(contains(parse_error({"diff", "--v2", "--out-v2", "a", "b"}), "--sv"));
}

CAF_TEST(unknown_or_missing_command) {
  auto e = parse_error({"frob", "a"});
  CAF_CHECK(contains(e, "unknown command"));
  CAF_CHECK(contains(e, "frob"));
  CAF_CHECK(contains(parse_error({"APPLY", "a"}), "unknown command"));
  CAF_CHECK(contains(parse_error({"--v2", "apply", "a"}), "unknown command"));
  CAF_CHECK(contains(parse_error({""}), "unknown command"));
  CAF_CHECK(contains(parse_error({}), "missing command"));
}

CAF_TEST(dash_is_a_file) {
  auto o = parse({"apply", "-"});
  CAF_REQUIRE(o.has_value());
  CAF_CHECK_EQUAL(o->files, (std::vector<std::string>{"-"}));
  auto m = parse({"merge", "a", "-", "b"});
  CAF_REQUIRE(m.has_value());
  CAF_CHECK_EQUAL(m->files, (std::vector<std::string>{"a", "-", "b"}));
  auto d = parse({"dump", "-"});
  CAF_REQUIRE(d.has_value());
  CAF_CHECK_EQUAL(d->files, (std::vector<std::string>{"-"}));
  auto s = parse({"diff", "--sv", "-", "a"});
  CAF_REQUIRE(s.has_value());
  CAF_CHECK_EQUAL(*s->sv_path, "-");
}

CAF_TEST(double_dash_ends_options) {
  auto o = parse({"apply", "--v2", "--", "--no-gc", "-o", "-", "--help"});
  CAF_REQUIRE(o.has_value());
  CAF_CHECK_EQUAL(o->command, "apply");
  CAF_CHECK(o->in_format == crdt::update_format::v2);
  CAF_CHECK(o->gc);
  CAF_CHECK(!o->out_path);
  CAF_CHECK_EQUAL(o->files, (std::vector<std::string>{"--no-gc", "-o", "-", "--help"}));
  // A second `--` after the first one is a file name.
  auto t = parse({"json", "--", "--"});
  CAF_REQUIRE(t.has_value());
  CAF_CHECK_EQUAL(t->files, (std::vector<std::string>{"--"}));
  // Options that are not valid for the command are fine as file names after `--`.
  auto j = parse({"json", "--", "--out-v2"});
  CAF_REQUIRE(j.has_value());
  CAF_CHECK_EQUAL(j->files, (std::vector<std::string>{"--out-v2"}));
}

CAF_TEST(help) {
  for (const char* h : {"-h", "--help", "help"}) {
    auto o = parse({h});
    CAF_REQUIRE(o.has_value());
    CAF_CHECK_EQUAL(o->command, "help");
  }
  // --help anywhere among the options wins over a missing FILE or an otherwise invalid command line.
  for (std::vector<std::string> args :
       {std::vector<std::string>{"apply", "--help"}, std::vector<std::string>{"diff", "-h"},
        std::vector<std::string>{"dump", "a", "b", "--help"}, std::vector<std::string>{"help", "extra"}}) {
    auto o = parse(args);
    CAF_REQUIRE(o.has_value());
    CAF_CHECK_EQUAL(o->command, "help");
  }
  // ...but not after an invalid option, which is reported first.
  CAF_CHECK(contains(parse_error({"json", "--out-v2", "--help"}), "--out-v2"));
}

CAF_TEST(usage_text_lists_every_command_and_option) {
  std::string u = usage_text();
  for (const char* word : {"apply", "json", "sv", "diff", "merge", "dump", "pending", "--v2", "--out-v2",
                           "--no-gc", "-o OUT", "--sv", "--help", "exit status"}) {
    CAF_CHECK(contains(u, word));
  }
}
