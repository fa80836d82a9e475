// The payments screen: select every claim at once, and a running total of what is ticked.
const boxes = [...document.querySelectorAll("input.pathway-pay")];
const all = document.getElementById("select-all");
const total = document.getElementById("ticked-total");
if (boxes.length && all && total) {
  document.getElementById("select-all-box").hidden = false;
  total.hidden = false;
  const pounds = (pence) => `£${(pence / 100).toLocaleString("en-GB", { minimumFractionDigits: 2 })}`;
  const update = () => {
    const ticked = boxes.filter((box) => box.checked);
    const sum = ticked.reduce((acc, box) => acc + Number(box.dataset.pence), 0);
    total.textContent = `${ticked.length} of ${boxes.length} claims ticked: ${pounds(sum)}`;
    all.checked = ticked.length === boxes.length;
  };
  all.addEventListener("change", () => {
    boxes.forEach((box) => { box.checked = all.checked; });
    update();
  });
  boxes.forEach((box) => box.addEventListener("change", update));
  update();
}
