// delete, then a virtual call: the object's vtable pointer was overwritten with osp's
// freed fill, so the call jumps through 0xfdfd...: the SEGV report says where that came
// from.
#include <cstdio>

struct Shape {
  virtual ~Shape() = default;
  virtual int sides() const { return 0; }
};
struct Square : Shape {
  int sides() const override { return 4; }
};

int main() {
  Shape* shape = new Square;
  delete shape;
  std::printf("calling a deleted object\n");
  std::fflush(stdout);
  return shape->sides();
}
