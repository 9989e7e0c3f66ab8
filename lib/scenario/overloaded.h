// A visitor made of lambdas, one per alternative, for std::visit:
//
//   std::visit(Overloaded{[](const A& a) { ... }, [](const B& b) { ... }}, v);
//
// Internal to lib/scenario (the settings registry and the printer).
#pragma once

namespace tlsim::scenario {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace tlsim::scenario
