#include "execcmd/config_files.h"

#include <charconv>

#include "core/digest.h"

namespace ecs::execcmd {

const std::string_view kSeelogLinux =
    "<seelog type=\"adaptive\" mininterval=\"2000000\"\n"
    "\tmaxinterval=\"100000000\" critmsgcount=\"500\" minlevel=\"info\">\n"
    "<exceptions>\n"
    "<exception filepattern=\"test*\" minlevel=\"error\"/>\n"
    "</exceptions>\n"
    "<outputs formatid=\"fmtinfo\">\n"
    "<console formatid=\"fmtinfo\"/>\n"
    "<rollingfile type=\"size\"\n"
    "\tfilename=\"/var/log/amazon/ssm/amazon-ssm-agent.log\"\n"
    "\tmaxsize=\"40000000\" maxrolls=\"1\"/>\n"
    "<filter levels=\"error,critical\" formatid=\"fmterror\">\n"
    "   <rollingfile type=\"size\"\n"
    "\t\tfilename=\"/var/log/amazon/ssm/errors.log\"\n"
    "\t\tmaxsize=\"10000000\" maxrolls=\"1\"/>\n"
    "</filter>\n"
    "</outputs>\n"
    "<formats>\n"
    "<format id=\"fmterror\" format=\"%Date %Time %LEVEL [%FuncShort @ %File.%Line] %Msg%n\"/>\n"
    "<format id=\"fmtdebug\" format=\"%Date %Time %LEVEL [%FuncShort @ %File.%Line] %Msg%n\"/>\n"
    "<format id=\"fmtinfo\" format=\"%Date %Time %LEVEL %Msg%n\"/>\n"
    "</formats>\n"
    "</seelog>";

const std::string_view kSeelogWindows =
    "<!--amazon-ssm-agent uses seelog logging -->\n"
    "<!--Seelog has github wiki pages, which contain detailed how-tos references: "
    "https://github.com/cihub/seelog/wiki -->\n"
    "<!--Seelog examples can be found here: https://github.com/cihub/seelog-examples -->\n"
    "<seelog type=\"adaptive\" mininterval=\"2000000\" maxinterval=\"100000000\" critmsgcount=\"500\" "
    "minlevel=\"info\">\n"
    "    <exceptions>\n"
    "        <exception filepattern=\"test*\" minlevel=\"error\"/>\n"
    "    </exceptions>\n"
    "    <outputs formatid=\"fmtinfo\">\n"
    "        <console formatid=\"fmtinfo\"/>\n"
    "        <rollingfile type=\"size\" "
    "filename=\"C:\\ProgramData\\Amazon\\SSM\\Logs\\amazon-ssm-agent.log\" maxsize=\"30000000\" "
    "maxrolls=\"5\"/>\n"
    "        <filter levels=\"error,critical\" formatid=\"fmterror\">\n"
    "            <rollingfile type=\"size\" filename=\"C:\\ProgramData\\Amazon\\SSM\\Logs\\errors.log\" "
    "maxsize=\"10000000\" maxrolls=\"5\"/>\n"
    "        </filter>\n"
    "    </outputs>\n"
    "    <formats>\n"
    "        <format id=\"fmterror\" format=\"%Date %Time %LEVEL [%FuncShort @ %File.%Line] %Msg%n\"/>\n"
    "        <format id=\"fmtdebug\" format=\"%Date %Time %LEVEL [%FuncShort @ %File.%Line] %Msg%n\"/>\n"
    "        <format id=\"fmtinfo\" format=\"%Date %Time %LEVEL %Msg%n\"/>\n"
    "    </formats>\n"
    "</seelog>";

std::string render_agent_config(long long session_limit, bool use_dual_stack_endpoint) {
  std::string out =
      "{\n"
      "\t\"Mgs\": {\n"
      "\t\t\"StopTimeoutMillis\": 20000,\n"
      "\t\t\"SessionWorkersLimit\": ";
  out += std::to_string(session_limit);
  out +=
      "\n"
      "\t},\n"
      "\t\"Agent\": {\n"
      "\t\t\"ContainerMode\": true,\n"
      "\t\t\"UseDualStackEndpoint\": ";
  out += use_dual_stack_endpoint ? "true" : "false";
  out +=
      "\n"
      "\t}\n"
      "}";
  return out;
}

std::string content_hash(std::string_view content) { return base64url(sha256(content)); }

std::string agent_config_file_name(std::string_view content) {
  return "amazon-ssm-agent-" + content_hash(content) + ".json";
}

std::string log_config_file_name(std::string_view content) {
  return "seelog-" + content_hash(content) + ".xml";
}

long long session_workers_limit(const std::optional<std::map<std::string, std::string>>& properties) {
  if (!properties) return kDefaultSessionLimit;
  auto it = properties->find("sessionLimit");
  if (it == properties->end()) return kDefaultSessionLimit;
  const std::string& text = it->second;
  long long value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;  // Atoi accepts a sign
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || begin == end) return kDefaultSessionLimit;
  return value <= 0 ? kDefaultSessionLimit : value;
}

bool valid_config_exists(FileSystem& fs, const std::string& path, std::string_view hash) {
  auto info = fs.stat(path);
  if (!info || !info->is_regular) return false;
  auto content = fs.read_file(path);
  return content && content_hash(*content) == hash;
}

Result<void> ensure_content_file(FileSystem& fs, const std::string& path, std::string_view content) {
  if (valid_config_exists(fs, path, content_hash(content))) return {};
  auto info = fs.stat(path);
  if (info && info->is_dir) {
    auto removed = fs.remove_all(path);
    if (!removed) return removed.error();
  }
  return fs.write_file(path, content, 0644);
}

std::string windows_config_dir_name(long long session_limit) {
  return content_hash(render_agent_config(session_limit, false) + std::string(kSeelogWindows));
}

bool valid_config_dir_exists(FileSystem& fs, const std::string& dir, std::string_view hash, char separator) {
  std::string all;
  for (const char* name : {"amazon-ssm-agent.json", "seelog.xml"}) {
    const std::string path = dir + separator + name;
    auto info = fs.stat(path);
    if (!info || info->is_dir) return false;
    auto content = fs.read_file(path);
    if (!content) return false;
    all += *content;
  }
  return content_hash(all) == hash;
}

Result<std::string> ensure_windows_config_dir(FileSystem& fs, const std::string& config_dir,
                                              long long session_limit, char separator) {
  const std::string agent_json = render_agent_config(session_limit, false);
  const std::string hash = content_hash(agent_json + std::string(kSeelogWindows));
  const std::string dir = config_dir + separator + hash;
  auto info = fs.stat(dir);
  if (info && info->is_dir && valid_config_dir_exists(fs, dir, hash, separator)) return hash;
  if (info && !info->is_dir) {
    auto removed = fs.remove_all(dir);
    if (!removed) return removed.error();
  }
  auto made = fs.mkdir_all(dir, 0755);
  if (!made) return made.error();
  auto wrote = fs.write_file(dir + separator + "amazon-ssm-agent.json", agent_json, 0644);
  if (!wrote) return wrote.error();
  wrote = fs.write_file(dir + separator + "seelog.xml", kSeelogWindows, 0644);
  if (!wrote) return wrote.error();
  return hash;
}

}  // namespace ecs::execcmd
