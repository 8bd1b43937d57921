// planner::order: builds the Boost.Graph statement DAG from dependency keys
// and sorts it (see graph.hpp for the edge rules and the tie-break).
#include "planner/graph.hpp"

#include <algorithm>
#include <map>
#include <queue>
#include <set>
#include <tuple>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>

namespace seam::planner {

namespace {

using Graph = boost::adjacency_list<boost::setS, boost::vecS, boost::bidirectionalS>;

struct ByKey {
  std::map<std::string, std::vector<size_t>> creates, drops, alters, needs, old_needs;
};

ByKey index_keys(const std::vector<Statement>& s) {
  ByKey k;
  for (size_t i = 0; i < s.size(); ++i) {
    for (const auto& x : s[i].creates) k.creates[x].push_back(i);
    for (const auto& x : s[i].drops) k.drops[x].push_back(i);
    for (const auto& x : s[i].alters) k.alters[x].push_back(i);
    for (const auto& x : s[i].needs) k.needs[x].push_back(i);
    for (const auto& x : s[i].old_needs) k.old_needs[x].push_back(i);
  }
  return k;
}

const std::vector<size_t>& get(const std::map<std::string, std::vector<size_t>>& m, const std::string& k) {
  static const std::vector<size_t> none;
  auto it = m.find(k);
  return it == m.end() ? none : it->second;
}

bool has(const std::vector<std::string>& v, const std::string& k) { return std::find(v.begin(), v.end(), k) != v.end(); }

Graph build(const std::vector<Statement>& s) {
  Graph g(s.size());
  auto edge = [&](size_t a, size_t b) {
    if (a != b) boost::add_edge(a, b, g);
  };
  ByKey k = index_keys(s);
  for (const auto& [key, users] : k.needs) {
    for (size_t c : get(k.creates, key))
      for (size_t u : users) edge(c, u);
    for (size_t a : get(k.alters, key))
      for (size_t u : users)
        if (!has(s[u].alters, key) && !has(s[u].drops, key)) edge(a, u);
  }
  // Creating K also comes before altering it (a renamed table before its new columns).
  for (const auto& [key, alters] : k.alters)
    for (size_t c : get(k.creates, key))
      for (size_t a : alters) edge(c, a);
  for (const auto& [key, olds] : k.old_needs) {
    for (size_t d : get(k.drops, key))
      for (size_t o : olds) edge(o, d);
    // Before an alteration of K only the drops of K's dependents must run
    // (a view before its column's type changes); an alteration that merely
    // stopped needing K (a default moving to a new enum label) need not.
    for (size_t a : get(k.alters, key))
      for (size_t o : olds)
        if (!has(s[o].alters, key) && !s[o].drops.empty()) edge(o, a);
  }
  for (const auto& [key, drops] : k.drops) {
    // A replacement: the old object goes before the new one comes. A rename
    // (creates and alters the new name) instead comes before a drop of it.
    for (size_t d : drops)
      for (size_t c : get(k.creates, key))
        if (!has(s[c].alters, key)) edge(d, c);
    // What is altered (detached, renamed) is dropped afterwards.
    for (size_t d : drops)
      for (size_t a : get(k.alters, key))
        if (!has(s[d].creates, key)) edge(a, d);
  }
  for (size_t i = 0; i < s.size(); ++i)
    for (size_t a : s[i].after) edge(a, i);
  return g;
}

}  // namespace

std::vector<size_t> order(const std::vector<Statement>& s) {
  Graph g = build(s);
  size_t n = s.size();
  std::vector<size_t> indeg(n);
  for (size_t v = 0; v < n; ++v) indeg[v] = boost::in_degree(v, g);
  // Min-heap on (rank, name, position): the earliest ready statement goes next.
  using Key = std::tuple<int, const std::string*, size_t>;
  auto later = [&](const Key& a, const Key& b) {
    if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) > std::get<0>(b);
    if (*std::get<1>(a) != *std::get<1>(b)) return *std::get<1>(a) > *std::get<1>(b);
    return std::get<2>(a) > std::get<2>(b);
  };
  std::priority_queue<Key, std::vector<Key>, decltype(later)> ready(later);
  for (size_t v = 0; v < n; ++v)
    if (indeg[v] == 0) ready.push({s[v].rank, &s[v].name, v});
  std::vector<size_t> out;
  out.reserve(n);
  while (!ready.empty()) {
    size_t v = std::get<2>(ready.top());
    ready.pop();
    out.push_back(v);
    for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
      size_t w = boost::target(*e, g);
      if (--indeg[w] == 0) ready.push({s[w].rank, &s[w].name, w});
    }
  }
  if (out.size() == n) return out;

  // What is left holds a cycle: report the strongly connected component(s)
  // with more than one statement, naming every object on them.
  std::vector<int> comp(n);
  boost::strong_components(g, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, g)));
  std::map<int, std::vector<size_t>> members;
  std::set<size_t> placed(out.begin(), out.end());
  for (size_t v = 0; v < n; ++v)
    if (!placed.count(v)) members[comp[v]].push_back(v);
  std::vector<std::string> names;
  for (const auto& [c, vs] : members) {
    if (vs.size() < 2) continue;
    for (size_t v : vs) names.push_back(s[v].name);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string msg = "the changes cannot be ordered: these objects depend on each other in a cycle that no "
                    "statement order resolves:";
  for (const auto& x : names) msg += " " + x + ";";
  msg.back() = '.';
  CycleError err(msg);
  err.objects = names;
  throw err;
}

}  // namespace seam::planner
