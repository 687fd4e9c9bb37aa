"""Headlines that are not articles of this site: the rotating boilerplate ("Read also", related
stories, most read) is drawn from here on every request, so a crawler meets the same kind of
noise it meets on real agency pages. The pool is large so two fetches almost never pick the
same set, and real-looking so noise cannot be told from content by its wording."""

_RAW = """\
Kremlin says no plans yet for new round of talks with Washington
Oil prices edge higher as supply concerns outweigh demand worries
UN Security Council to hold emergency meeting on humanitarian corridor
Earthquake of magnitude 5.8 strikes off the coast, no tsunami threat
Central bank keeps key rate unchanged for third meeting in a row
Parliament approves budget amendments in second reading
Foreign ministers meet in Geneva to discuss ceasefire proposals
Wildfires force evacuation of coastal towns as heatwave persists
Government unveils plan to cut red tape for small businesses
Football: national team names squad for qualifying matches
Inflation slows for fourth consecutive month, statistics office says
Airline suspends flights to region over security concerns
President signs decree on support for families with children
Prime minister arrives on official visit to discuss energy cooperation
Grain exports reach record level in first half of season
Scientists report breakthrough in battery storage research
Court sentences former official to eight years for bribery
Heavy snowfall disrupts rail traffic across the north
Opposition calls for early elections after cabinet reshuffle
Talks on new trade agreement stall over agricultural tariffs
Death toll from mine collapse rises, rescuers search for survivors
Defence ministry reports drills involving warships in the Baltic
Stock markets close lower amid worries over tech earnings
Tennis: top seed knocked out in straight sets in quarterfinals
Health ministry reports rise in seasonal flu cases
New metro line opens to passengers ahead of schedule
Energy company announces plan to build offshore wind farm
Election commission registers five candidates for presidential race
Police detain suspects in large-scale fraud investigation
Space agency postpones launch of cargo ship to orbital station
Ceasefire largely holding despite sporadic clashes, monitors say
IMF raises global growth forecast, warns of financial risks
Ministers agree to extend grain deal for another four months
Strike by port workers enters second week, exports delayed
Floods leave thousands without power in southern provinces
Carmaker recalls vehicles over faulty airbag sensors
Ruling party wins majority in regional legislative elections
Border crossing reopens after three-day closure
Shipping costs climb as vessels avoid key strait
Archaeologists uncover ancient settlement near river delta
Government to raise minimum wage from January, minister says
Hostage release talks continue with mediation of third countries
Bank regulator revokes licence of mid-sized lender
Cyberattack disrupts operations at major logistics firm
Film festival opens with premiere of historical drama
Foreign investors return to bond market as yields rise
Drought threatens harvest in key wheat-growing regions
Peace conference ends without joint declaration
Medical aid convoy reaches besieged city, officials say
Chess: world champion retains title after tiebreak
Diplomat summoned over remarks by embassy spokesperson
Supreme court upholds ban on controversial protest group
Ice hockey: home side clinches playoff spot with late goal
Tourist arrivals surpass pre-pandemic levels for first time
Lawmakers debate bill on regulating artificial intelligence
Rouble strengthens against dollar ahead of tax period
Gas supplies through pipeline resume after maintenance
Volcano eruption prompts aviation warning in the Pacific
Teachers stage nationwide walkout over pay
Pharmaceutical firm wins approval for new vaccine
Navy rescues crew of cargo vessel that ran aground
Summit leaders pledge to boost infrastructure investment
Unemployment falls to record low, labour ministry says
Prosecutors open criminal case after bridge collapse
Arctic shipping route sees record cargo volumes
Government approves new programme to support farmers
Ambassador says bilateral trade grew by a third last year
Train derailment injures dozens, cause under investigation
Olympic committee reviews eligibility rules for athletes
Power outage hits capital during evening rush hour
Military says air defences intercepted drones overnight
Tech giant fined over breach of competition rules
Negotiators report progress on prisoner exchange
Housing prices fall for first time in two years
Satellite images show damage to key port facilities
Mayor announces new restrictions on car traffic in city centre
Archbishop calls for dialogue to resolve regional conflict
Budget deficit narrows as tax revenue beats forecasts
Two journalists injured while covering clashes near the border
National museum returns looted artefacts to country of origin
Airport introduces biometric passport control
Parliament speaker rejects calls to resign
Foreign minister warns against escalation in the region
Insurance claims soar after hailstorm damages crops
Gold price hits record as investors seek safe havens
Hackers claim responsibility for outage at state agency
Rescue teams pull survivors from rubble after landslide
Industrial output rises on strong demand for machinery
Emergency ministry warns of avalanche danger in mountains
Prime minister survives no-confidence vote
Refugee numbers at border camp double in a week, UN says
Startup raises funding to expand electric scooter network
Athletics: sprinter breaks national record at indoor meet
Ministry proposes tougher penalties for reckless driving
Nuclear watchdog inspectors arrive at power plant
Commodity exporters cash in on strong demand from Asia
Governor declares state of emergency after storm
Hospital staff treated dozens of injured after gas explosion
Constitutional court to review disputed election results
Retail sales unexpectedly fall as consumers cut spending
Foreign trade surplus widens on higher energy prices
Government bond auction draws strong demand
Basketball: champions open season with comfortable win
Protesters gather outside parliament as vote nears
Official visit postponed over scheduling issues, spokesman says
Researchers warn of rapid glacier retreat in the Alps
Authorities extend curfew in restive province
Bank launches digital currency pilot with retailers
Freight rail volumes decline amid weaker coal demand
Security forces thwart attack on energy facility, agency says
"""

NOISE_HEADLINES: list[str] = [line for line in _RAW.splitlines() if line.strip()]
