# Turns every compat-matrix/<dialect>.yaml into one generated .cpp that defines
# seam::compat::embedded_yaml(), so the matrices are part of the binary (and
# the linker cannot drop them: builtin() references the function).
# Run by CMakeLists.txt at build time with INPUTS (a list) and OUT.
set(arrays "")
set(entries "")
set(i 0)
foreach(in IN LISTS INPUTS)
  get_filename_component(dialect "${in}" NAME_WE)
  file(READ "${in}" text HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${text}")
  string(APPEND arrays "const unsigned char d${i}[] = {${bytes} 0x00};\n")
  string(APPEND entries "      {\"${dialect}\", reinterpret_cast<const char*>(d${i})},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE "${OUT}" "// Generated from compat-matrix/*.yaml by compat-matrix/embed.cmake; do not edit.
#include \"compat-matrix/embedded.hpp\"
namespace seam::compat {
namespace {
${arrays}}  // namespace
const std::map<std::string, const char*>& embedded_yaml() {
  static const std::map<std::string, const char*> m{
${entries}  };
  return m;
}
}  // namespace seam::compat
")
